using System.Globalization;
using ChatFork.Protocol;

namespace ChatFork.Worker;

/// <summary>
/// The worker's log. Events go to the supervisor, which writes them with NLog under "worker[pid]"; before the pipe is
/// up, or after it broke, they go to standard error in the same shape. (No logging framework is loaded here: a
/// worker is one of hundreds and must start in milliseconds.)
/// </summary>
internal static class WorkerLog
{
    private static IWorkerLogSink? s_link;

    public static void Attach(IWorkerLogSink link) => s_link = link;

    public static void Warn(string text) => Write(WorkerLogLevel.Warn, text);

    public static void Error(string text) => Write(WorkerLogLevel.Error, text);

    // Short enough for any --max-line: the supervisor's frame limit is at least 1 KiB more than three lines.
    private const int MaxText = 1000;

    private static void Write(WorkerLogLevel level, string text)
    {
        if (text.Length > MaxText)
        {
            text = text[..MaxText] + "...";
        }

        var link = s_link;
        if (link is not null && link.IsAlive)
        {
            link.SendLog(level, text);
            if (link.IsAlive)
            {
                return;
            }
        }

        var line = string.Create(CultureInfo.InvariantCulture,
            $"{DateTime.Now:yyyy-MM-dd HH:mm:ss.ffff} {level.ToString().ToUpperInvariant(),-5} worker[{Environment.ProcessId}] {text}");
        Console.Error.WriteLine(line);
    }
}
