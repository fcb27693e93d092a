using NLog;

namespace ChatFork.Supervisor.Logging;

/// <summary>Loads NLog.config from beside the executable and applies the command line's level and file.</summary>
internal static class SupervisorLogging
{
    public const string ConfigFileName = "NLog.config";

    /// <exception cref="ChatForkException">The level is not one NLog knows, or the config file is missing.</exception>
    public static void Configure(string level, string? logFile)
    {
        var path = Path.Combine(AppContext.BaseDirectory, ConfigFileName);
        if (!File.Exists(path))
        {
            throw new ChatForkException($"The logging configuration {path} is missing; it is built and published next to chatfork.");
        }

        LogLevel minLevel;
        try
        {
            minLevel = LogLevel.FromString(level);
        }
        catch (ArgumentException)
        {
            throw new ChatForkException($"--log-level must be trace, debug, info, warn, error or off, not '{level}'.");
        }

        LogManager.Setup().LoadConfigurationFromFile(path);
        var configuration = LogManager.Configuration ?? throw new ChatForkException($"{path} holds no NLog configuration.");
        configuration.Variables["minLevel"] = minLevel.Name;
        if (string.Equals(logFile, "none", StringComparison.OrdinalIgnoreCase))
        {
            var rule = configuration.LoggingRules.FirstOrDefault(r => r.Targets.Any(t => t.Name == "file"));
            if (rule is not null)
            {
                configuration.LoggingRules.Remove(rule);
            }
        }
        else if (logFile is not null)
        {
            configuration.Variables["logFile"] = Path.GetFullPath(logFile);
        }

        LogManager.Configuration = configuration;
        LogManager.ReconfigExistingLoggers();
    }
}
