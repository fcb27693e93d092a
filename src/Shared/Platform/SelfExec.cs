using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using ChatFork.Interop.Unix;

namespace ChatFork.Platform;

/// <summary>
/// Runs this process's program again in this process (Linux <c>execve</c>): the same executable, the same argv and
/// the same environment it was started with, plus one variable; the same pid, descriptors without close-on-exec, and
/// the calling thread's signal mask.
/// </summary>
/// <remarks>
/// The executable is <c>/proc/self/exe</c>'s target, passed by its real path (exec'ing <c>/proc/self/exe</c> itself
/// would name the process "exe" in <c>ps</c>); argv and the environment are <c>/proc/self/cmdline</c> and
/// <c>/proc/self/environ</c>, byte for byte what the kernel was given at the last <c>execve</c>. That covers every
/// way the program can be started: <c>dotnet chatfork.dll</c> (the executable is <c>dotnet</c>, argv[1] the .dll,
/// relative to the unchanged working directory), the apphost <c>chatfork</c>, and a single-file publish.
/// </remarks>
[SupportedOSPlatform("linux")]
internal static unsafe class SelfExec
{
    /// <summary>Replaces the process image; returns only if it could not, with a sentence saying why.</summary>
    public static string Again(string variable, string value)
    {
        string executable;
        byte[] arguments;
        byte[] environment;
        try
        {
            executable = File.ResolveLinkTarget("/proc/self/exe", returnFinalTarget: false)?.FullName
                ?? throw new IOException("/proc/self/exe is not a link");
            arguments = File.ReadAllBytes("/proc/self/cmdline");
            environment = File.ReadAllBytes("/proc/self/environ");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"could not read what this process was started with from /proc: {e.Message}";
        }

        if (!File.Exists(executable))
        {
            return $"its executable {executable} is gone";
        }

        var argv = Split(arguments);
        if (argv.Count == 0)
        {
            return "/proc/self/cmdline is empty";
        }

        var prefix = Encoding.UTF8.GetBytes(variable + "=");
        var variables = Split(environment).Where(v => !v.AsSpan().StartsWith(prefix)).ToList();
        variables.Add(Encoding.UTF8.GetBytes($"{variable}={value}\0"));

        ForgetDiagnosticsSocket();
        var path = Encoding.UTF8.GetBytes(executable + "\0");
        // Pinned for good: on success the image is replaced; on failure the process goes on with a little less memory.
        var argvPointers = PinAll(argv);
        var envPointers = PinAll(variables);
        fixed (byte* pathPointer = path)
        {
            Libc.Execve(pathPointer, argvPointers, envPointers);
        }

        var errno = Marshal.GetLastPInvokeError();
        return $"execve({executable}) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
    }

    // The runtime's diagnostics socket (what dotnet-counters and dotnet-trace connect to) is named after the pid and
    // the process's start time, and both stay the same across execve: the new runtime could not bind its own while
    // the old image's file is there, and the old file would be left behind at exit. The old image's listening
    // descriptor is close-on-exec and goes with it; the name goes now.
    private static void ForgetDiagnosticsSocket()
    {
        try
        {
            foreach (var file in Directory.EnumerateFiles(Path.GetTempPath(), $"dotnet-diagnostic-{Environment.ProcessId}-*-socket"))
            {
                File.Delete(file);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Then the new image runs without its diagnostics socket; nothing else depends on it.
        }
    }

    // "a\0b\0" into "a\0" and "b\0": each string keeps its terminating NUL.
    private static List<byte[]> Split(byte[] nulSeparated)
    {
        var result = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < nulSeparated.Length; i++)
        {
            if (nulSeparated[i] == 0)
            {
                result.Add(nulSeparated[start..(i + 1)]);
                start = i + 1;
            }
        }

        if (start < nulSeparated.Length)
        {
            result.Add([.. nulSeparated[start..], 0]);
        }

        return result;
    }

    // A NULL-terminated array of pointers to pinned strings.
    private static byte** PinAll(List<byte[]> strings)
    {
        var pointers = (byte**)NativeMemory.Alloc((nuint)(strings.Count + 1), (nuint)sizeof(byte*));
        for (var i = 0; i < strings.Count; i++)
        {
            pointers[i] = (byte*)GCHandle.Alloc(strings[i], GCHandleType.Pinned).AddrOfPinnedObject();
        }

        pointers[strings.Count] = null;
        return pointers;
    }
}
