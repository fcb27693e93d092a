namespace ChatFork.Interop.Unix;

/// <summary>The errno values ChatFork acts on (Linux numbering).</summary>
internal static class Errno
{
    internal const int EINTR = 4;
    internal const int EAGAIN = 11;
    internal const int ENOMEM = 12;
    internal const int EPIPE = 32;
}
