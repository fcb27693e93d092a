using System.Runtime.InteropServices;

namespace ChatFork.Bench.Interop.Unix;

internal static partial class Libc
{
    /// <summary>
    /// <c>int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *file_actions,
    /// const posix_spawnattr_t *attrp, char *const argv[], char *const envp[])</c>. Returns an error number (it does
    /// not set errno). glibc implements it with <c>clone(CLONE_VM | CLONE_VFORK)</c>, the cheapest way to start a
    /// program, which is what the spawn floor wants to measure.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "posix_spawn", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int PosixSpawn(
        out int pid, string path, IntPtr fileActions, IntPtr attributes, IntPtr argv, IntPtr envp);
}
