using System.Runtime.InteropServices;

namespace ChatFork.Bench.Interop.Unix;

internal static partial class Libc
{
    /// <summary><c>int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *file_actions)</c>.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "posix_spawn_file_actions_destroy")]
    internal static partial int PosixSpawnFileActionsDestroy(IntPtr fileActions);
}
