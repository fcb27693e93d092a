using ChatFork;
using ChatFork.Supervisor;
using ChatFork.Supervisor.Logging;
using CommandLine;
using NLog;

// chatfork: the supervisor. Parses the command line, sets up logging, runs the server.
// The process model is described at the top of Supervisor.cs and in docs/architecture.md.

// First, before the runtime makes more threads: on Linux this may run the program again, in this same process,
// with SIGTERM and SIGINT blocked in every thread (Platform/BlockedAtStart.cs says why).
ChatFork.Supervisor.Platform.BlockedAtStart.Ensure();

using var parser = new Parser(settings =>
{
    settings.CaseInsensitiveEnumValues = true;
    settings.HelpWriter = Console.Out;
    settings.AutoHelp = true;
    settings.AutoVersion = true;
});

var parsed = parser.ParseArguments<SupervisorOptions>(args);
if (parsed is not Parsed<SupervisorOptions> { Value: var options })
{
    var errors = ((NotParsed<SupervisorOptions>)parsed).Errors;
    return errors.IsHelp() || errors.IsVersion() ? 0 : 2;
}

try
{
    var settings = ServerSettings.From(options);
    SupervisorLogging.Configure(options.LogLevel, options.LogFile);
    using var supervisor = new Supervisor(settings);
    return await supervisor.RunAsync();
}
catch (ChatForkException e)
{
    Console.Error.WriteLine($"chatfork: {e.Message}");
    return 2;
}
catch (Exception e)
{
    LogManager.GetLogger("supervisor").Fatal(e, "the supervisor failed");
    Console.Error.WriteLine($"chatfork: the supervisor failed: {e.Message}");
    return 1;
}
finally
{
    LogManager.Shutdown();
}
