using System.Diagnostics;
using System.Runtime.InteropServices;
using ChatFork.Bench.Interop.Unix;

namespace ChatFork.Bench.Spawn;

/// <summary>
/// <c>posix_spawn</c> and <c>waitpid</c> of one program, <c>count</c> times in a row: what starting and ending a
/// process costs on this machine, with nothing else in the way (no <c>Process</c> class, no pipes: the child's
/// standard output and error go to <c>/dev/null</c>, its input is the bench's).
/// </summary>
internal static class SpawnLoop
{
    /// <summary>
    /// The best of <paramref name="repeats"/> loops of <paramref name="count"/> spawns, in ms per spawn, and the
    /// exit code the program gave (any exit code will do: what is timed is the start and the exit).
    /// </summary>
    /// <exception cref="BenchException">The program could not be started, or was killed by a signal.</exception>
    public static (double Milliseconds, int ExitCode) Best(string path, IReadOnlyList<string> arguments, int count, int repeats)
    {
        var best = double.MaxValue;
        var exitCode = 0;
        for (var i = 0; i < repeats; i++)
        {
            var (elapsed, code) = Loop(path, arguments, count);
            best = Math.Min(best, elapsed / count);
            exitCode = code;
        }

        return (best, exitCode);
    }

    private static (double Milliseconds, int ExitCode) Loop(string path, IReadOnlyList<string> arguments, int count)
    {
        var argv = new NativeStrings([path, .. arguments]);
        var envp = new NativeStrings(Environment.GetEnvironmentVariables()
            .Cast<System.Collections.DictionaryEntry>()
            .Select(entry => $"{entry.Key}={entry.Value}")
            .ToList());
        var actions = Marshal.AllocHGlobal(Libc.PosixSpawnFileActionsSize);
        try
        {
            Check(Libc.PosixSpawnFileActionsInit(actions), "posix_spawn_file_actions_init", path);
            try
            {
                Check(Libc.PosixSpawnFileActionsAddOpen(actions, 1, "/dev/null", Libc.O_WRONLY, 0), "addopen", path);
                Check(Libc.PosixSpawnFileActionsAddOpen(actions, 2, "/dev/null", Libc.O_WRONLY, 0), "addopen", path);
                var started = Stopwatch.GetTimestamp();
                var exitCode = 0;
                for (var i = 0; i < count; i++)
                {
                    Check(Libc.PosixSpawn(out var pid, path, actions, IntPtr.Zero, argv.Pointer, envp.Pointer),
                        "posix_spawn", path);
                    exitCode = Wait(pid, path);
                }

                return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, exitCode);
            }
            finally
            {
                _ = Libc.PosixSpawnFileActionsDestroy(actions);
            }
        }
        finally
        {
            Marshal.FreeHGlobal(actions);
            argv.Dispose();
            envp.Dispose();
        }
    }

    private static int Wait(int pid, string path)
    {
        while (true)
        {
            if (Libc.WaitPid(pid, out var status, 0) == pid)
            {
                // WIFEXITED and WEXITSTATUS as glibc defines them: the low 7 bits are the signal, the next 8 the code.
                if ((status & 0x7f) != 0)
                {
                    throw new BenchException(
                        $"{path} was killed by signal {status & 0x7f} in the spawn loop; the spawn floor needs a program "
                        + "that exits by itself.");
                }

                return (status >> 8) & 0xff;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.EINTR)
            {
                continue;
            }

            // ECHILD: someone else reaped it (the runtime reaps only the children it started, but if that ever
            // changed the child has still exited, which is all the loop waits for).
            if (errno == Libc.ECHILD)
            {
                return 0;
            }

            throw new BenchException($"waitpid for {path} (pid {pid}) failed with errno {errno}.");
        }
    }

    private static void Check(int error, string what, string path)
    {
        if (error != 0)
        {
            throw new BenchException($"{what} failed for {path} with error {error} ({Marshal.GetPInvokeErrorMessage(error)}).");
        }
    }

    /// <summary>A NULL-terminated array of UTF-8 C strings, as <c>argv</c> and <c>envp</c> are.</summary>
    private sealed class NativeStrings : IDisposable
    {
        private readonly IntPtr[] _strings;

        public NativeStrings(IReadOnlyList<string> values)
        {
            _strings = values.Select(Marshal.StringToCoTaskMemUTF8).ToArray();
            Pointer = Marshal.AllocHGlobal(IntPtr.Size * (_strings.Length + 1));
            for (var i = 0; i < _strings.Length; i++)
            {
                Marshal.WriteIntPtr(Pointer, i * IntPtr.Size, _strings[i]);
            }

            Marshal.WriteIntPtr(Pointer, _strings.Length * IntPtr.Size, IntPtr.Zero);
        }

        public IntPtr Pointer { get; }

        public void Dispose()
        {
            foreach (var value in _strings)
            {
                Marshal.FreeCoTaskMem(value);
            }

            Marshal.FreeHGlobal(Pointer);
        }
    }
}
