using System.Diagnostics;

namespace ChatFork.Tests.Support;

/// <summary>
/// Which build of ChatFork the integration tests run against. By default the Linux build in the test's own output
/// folder. With <c>CHATFORK_TEST_WINE</c> set to a <c>dotnet publish src/Supervisor -r win-x64</c> folder (which
/// also holds <c>chatfork-rogue-worker.exe</c>), the Windows build, run through Wine: the same tests, except those
/// marked <see cref="LinuxOnlyAttribute"/>, which the Wine run leaves out (<c>--filter TestCategory!=LinuxOnly</c>).
/// </summary>
/// <remarks>
/// What differs under Wine, and where the tests meet it:
/// <list type="bullet">
/// <item>Pids. Chat and logs show Windows pids (small numbers wineserver hands out); each Wine process is also a
///   Linux process with a Linux pid, and its Linux parent is PID 1, not the supervisor. <see cref="ServerProcess"/>
///   maps one to the other through the server's own log ("started worker W (#N, pipe NAME)") and the worker's
///   Linux command line (<c>--pipe NAME --supervisor S</c>).</item>
/// <item>Signals. Wine turns SIGINT into a console Ctrl+C event, which <c>PosixSignalRegistration</c> sees; SIGTERM
///   ends a Wine process outright. So the orderly stop is SIGINT here (<see cref="StopSignal"/>).</item>
/// <item>A Wine process killed from Linux (SIGKILL, SIGTERM) is reported to Windows as having exited with code 0:
///   wineserver sees its socket close and records no signal (<see cref="KilledFromOutside"/>).</item>
/// <item>Sockets. wineserver holds every socket of every Wine process, so /proc says nothing about which process
///   owns a connection; and an accepted socket is inheritable under Wine (on Windows it is not).</item>
/// <item>/ps shows 0.0 MiB for every process: Wine does not fill in a process's private bytes.</item>
/// <item>.NET's W^X is off (<c>DOTNET_EnableWriteXorExecute=0</c>) for every process started here: with it, a JIT
///   process under Wine dies when it frees a dynamic method (<see cref="StartInfo"/> says more).</item>
/// </list>
/// </remarks>
internal static class TestTarget
{
    public const string WineVariable = "CHATFORK_TEST_WINE";

    /// <summary>The Windows publish folder the tests run under Wine, or null for the Linux build.</summary>
    public static string? WineDirectory { get; } =
        Environment.GetEnvironmentVariable(WineVariable) is { Length: > 0 } directory ? Path.GetFullPath(directory) : null;

    public static bool IsWine => WineDirectory is not null;

    /// <summary>Where chatfork, chatfork-worker and chatfork-rogue-worker are.</summary>
    public static string Directory => WineDirectory ?? AppContext.BaseDirectory;

    public static string Name => IsWine ? $"the Windows build under Wine ({WineDirectory})" : "the Linux build";

    /// <summary>The signal that stops a supervisor in order: SIGTERM, or SIGINT under Wine (SIGTERM kills outright there).</summary>
    public static int StopSignal => IsWine ? Native.SIGINT : Native.SIGTERM;

    /// <summary>How the supervisor describes a worker it killed itself (after a timeout, for breaking the rules).</summary>
    public static string KilledBySupervisor => IsWine ? "was terminated (TerminateProcess)" : "killed by SIGKILL";

    /// <summary>How the supervisor describes a worker killed from outside by a Linux signal.</summary>
    public static string KilledFromOutside(string signalName) => IsWine ? "exited with code 0" : $"killed by {signalName}";

    /// <summary>The file name of one of ChatFork's executables on the target: "chatfork" or "chatfork.exe".</summary>
    public static string Executable(string name) => IsWine ? name + ".exe" : name;

    public static string PathOf(string name) => Path.Combine(Directory, Executable(name));

    /// <summary>How to start <paramref name="executable"/>: as is, or through <c>wine</c>, headless and quiet.</summary>
    public static ProcessStartInfo StartInfo(string executable, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(IsWine ? "wine" : executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (IsWine)
        {
            info.ArgumentList.Add(executable);
            info.Environment.Remove("DISPLAY");
            info.Environment["WINEDEBUG"] = "-all";
            // Wine 8 and .NET 10's W^X (code pages mapped twice, writable and executable): freeing a dynamic method's
            // code there kills the process ("Fatal error. Internal CLR error. (0x80131506)" in
            // DynamicResolver+DestroyScout.Finalize). The supervisor (a JIT process under Wine) frees one at the first
            // collection after it became garbage, which a burst of chat makes come: ChatBurstTests lost every line to
            // it. Off for the processes the tests start under Wine (the workers inherit it); W^X is a hardening knob,
            // and nothing here depends on it.
            info.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }
}
