using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

internal static partial class Libc
{
    internal const int AT_FDCWD = -100;
    internal const int AT_SYMLINK_NOFOLLOW = 0x100;
    internal const uint STATX_TYPE = 0x1;
    internal const uint STATX_MODE = 0x2;
    internal const uint STATX_UID = 0x8;

    /// <summary>Size of <c>struct statx</c>; its layout is the same on every Linux architecture (unlike <c>struct stat</c>).</summary>
    internal const int StatxSize = 0x100;
    internal const int StatxUidOffset = 20;
    internal const int StatxModeOffset = 28;

    /// <summary>
    /// <c>int statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *buf)</c>. With
    /// <see cref="AT_SYMLINK_NOFOLLOW"/> it is <c>lstat</c>: a symlink is described, not followed.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
