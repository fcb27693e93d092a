using System.Runtime.InteropServices;

namespace ChatFork.Bench.Interop.Unix;

internal static partial class Libc
{
    internal const int O_WRONLY = 1;

    /// <summary>
    /// <c>int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *file_actions, int fildes,
    /// const char *path, int oflag, mode_t mode)</c>.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "posix_spawn_file_actions_addopen",
        StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int PosixSpawnFileActionsAddOpen(IntPtr fileActions, int fd, string path, int flags, uint mode);
}
