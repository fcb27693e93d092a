using System.Runtime.InteropServices;

namespace ChatFork.Bench.Interop.Unix;

/// <summary><c>struct rlimit</c>: two <c>rlim_t</c>, which is an unsigned 64-bit integer on 64-bit Linux.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RLimit
{
    internal ulong Current;
    internal ulong Maximum;
}
