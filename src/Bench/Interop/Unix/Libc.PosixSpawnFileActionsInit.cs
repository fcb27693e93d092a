using System.Runtime.InteropServices;

namespace ChatFork.Bench.Interop.Unix;

internal static partial class Libc
{
    /// <summary>
    /// Bytes allocated for an opaque <c>posix_spawn_file_actions_t</c>: glibc's is 80 on 64-bit Linux (two ints, a
    /// pointer, 16 ints of padding); a generous block costs nothing and survives a libc with a bigger one.
    /// </summary>
    internal const int PosixSpawnFileActionsSize = 256;

    /// <summary><c>int posix_spawn_file_actions_init(posix_spawn_file_actions_t *file_actions)</c>.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "posix_spawn_file_actions_init")]
    internal static partial int PosixSpawnFileActionsInit(IntPtr fileActions);
}
