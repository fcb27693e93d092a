using System.Runtime.InteropServices;

namespace ChatFork.Bench.Interop.Unix;

internal static partial class Libc
{
    /// <summary><c>int mkfifo(const char *pathname, mode_t mode)</c>: perf stat's control channel is a pair of FIFOs.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MkFifo(string path, uint mode);
}
