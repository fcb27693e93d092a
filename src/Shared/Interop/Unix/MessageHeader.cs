using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

/// <summary>
/// <c>struct msghdr</c> as Linux lays it out on 64-bit targets (x64, arm64): sequential layout gives the padding
/// after <c>msg_namelen</c>. Other Unix systems differ (macOS uses int-sized lengths), which is why the fd hand-off
/// checks for Linux before it uses this.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MessageHeader
{
    public void* Name;             // msg_name
    public uint NameLength;        // msg_namelen (socklen_t)
    public IOVector* IOVectors;    // msg_iov
    public nuint IOVectorCount;    // msg_iovlen (size_t)
    public void* Control;          // msg_control
    public nuint ControlLength;    // msg_controllen (size_t)
    public int Flags;              // msg_flags
}

/// <summary><c>struct iovec</c></summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IOVector
{
    public void* Base;
    public nuint Count;
}

/// <summary><c>struct cmsghdr</c> (Linux, 64-bit): 16 bytes, data follows at <c>CMSG_ALIGN(sizeof(cmsghdr))</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ControlMessageHeader
{
    public nuint Length;   // cmsg_len: header plus data, unpadded (CMSG_LEN)
    public int Level;      // cmsg_level
    public int Type;       // cmsg_type

    internal static int Align(int length) => (length + nint.Size - 1) & ~(nint.Size - 1);

    /// <summary><c>CMSG_LEN(n)</c></summary>
    internal static int LengthFor(int dataLength) => Align(Marshal.SizeOf<ControlMessageHeader>()) + dataLength;

    /// <summary><c>CMSG_SPACE(n)</c></summary>
    internal static int SpaceFor(int dataLength) => Align(Marshal.SizeOf<ControlMessageHeader>()) + Align(dataLength);
}
