using System.Globalization;
using System.Security.Cryptography;
using ChatFork.Interop.Unix;

namespace ChatFork.Platform;

internal static partial class PipePaths
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const int S_IFMT = 0xF000;
    private const int S_IFDIR = 0x4000;

    private static string? s_directory;

    /// <summary>The private directory, once made (tests and the log read it).</summary>
    public static string? Directory => s_directory;

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static string CreateUnixDirectory()
    {
        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var problems = new List<string>();
        if (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime)
        {
            // The runtime directory itself must be ours and private, or a directory in it is no safer than /tmp.
            if (CheckPrivate(runtime) is { } problem)
            {
                problems.Add($"XDG_RUNTIME_DIR {runtime}: {problem}");
            }
            else
            {
                var path = Path.Combine(runtime, $"{Prefix}{pid}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}");
                try
                {
                    System.IO.Directory.CreateDirectory(path, OwnerOnly);
                    File.SetUnixFileMode(path, OwnerOnly); // the umask may have taken bits away
                    if (CheckPrivate(path) is { } made)
                    {
                        problems.Add($"{path}: {made}");
                    }
                    else
                    {
                        return s_directory = path;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    problems.Add($"{path}: {e.Message}");
                }
            }
        }

        try
        {
            // mkdtemp: a new directory with a random name, made with mode 0700, failing rather than reusing one.
            var temp = System.IO.Directory.CreateTempSubdirectory($"{Prefix}{pid}-").FullName;
            if (CheckPrivate(temp) is { } problem)
            {
                problems.Add($"{temp}: {problem}");
            }
            else
            {
                return s_directory = temp;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{Path.GetTempPath()}: {e.Message}");
        }

        throw new ChatForkException($"Could not make a private directory for the worker pipes: {string.Join("; ", problems)}.");
    }

    /// <summary>Null if <paramref name="path"/> is a directory (not a symlink) owned by us with mode 0700; else why not.</summary>
    internal static unsafe string? CheckPrivate(string path)
    {
        var buffer = stackalloc byte[Libc.StatxSize];
        if (Libc.Statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_TYPE | Libc.STATX_MODE | Libc.STATX_UID, buffer) != 0)
        {
            return $"cannot stat it (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})";
        }

        var uid = *(uint*)(buffer + Libc.StatxUidOffset);
        var mode = *(ushort*)(buffer + Libc.StatxModeOffset);
        if ((mode & S_IFMT) != S_IFDIR)
        {
            return "it is not a directory (a symlink, or a file)";
        }

        if (uid != Libc.GetEffectiveUserId())
        {
            return $"it belongs to uid {uid}, not to us";
        }

        return (mode & 0x1FF) == (int)OwnerOnly ? null : $"its mode is {Convert.ToString(mode & 0x1FF, 8)}, not 700";
    }

    private static string UnixPathForWorker(long workerId) =>
        Path.Combine(s_directory ?? throw new InvalidOperationException("PipePaths.CreateDirectory was not called."),
            $"w{workerId.ToString(CultureInfo.InvariantCulture)}");

    private static string? ForgetUnix(string pipeName)
    {
        try
        {
            File.Delete(pipeName);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    private static string? RemoveUnixDirectory()
    {
        if (Interlocked.Exchange(ref s_directory, null) is not { } directory)
        {
            return null;
        }

        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
            return directory;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // A supervisor killed with SIGKILL leaves its directory, with the sockets of workers that had not attached yet
    // (attached ones are unlinked at once). Older versions left chatfork-PID-N.pipe sockets in /tmp itself.
    private static List<string> RemoveStaleUnix()
    {
        var removed = new List<string>();
        var places = new List<string> { Path.GetTempPath() };
        if (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime && CheckPrivate(runtime) is null)
        {
            places.Add(runtime);
        }

        foreach (var place in places)
        {
            IEnumerable<string> entries;
            try
            {
                entries = System.IO.Directory.EnumerateFileSystemEntries(place, $"{Prefix}*").ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var path in entries)
            {
                var name = Path.GetFileName(path)[Prefix.Length..];
                var dash = name.IndexOf('-', StringComparison.Ordinal);
                if (dash <= 0 || !int.TryParse(name.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ||
                    pid == Environment.ProcessId || System.IO.Directory.Exists($"/proc/{pid}"))
                {
                    continue;
                }

                try
                {
                    if (CheckPrivate(path) is null)
                    {
                        // Ours (owner and mode checked, not a symlink): a directory of a supervisor that is gone.
                        System.IO.Directory.Delete(path, recursive: true);
                        removed.Add(path);
                    }
                    else if (path.EndsWith(".pipe", StringComparison.Ordinal) && !System.IO.Directory.Exists(path))
                    {
                        File.Delete(path);
                        removed.Add(path);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Another user's, or in use: not ours to touch.
                }
            }
        }

        return removed;
    }
}
