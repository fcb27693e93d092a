namespace ChatFork.Protocol;

/// <summary>
/// The frame format on a worker's pipe (ours; a Unix pipe is a byte stream, message mode does not exist there):
/// <code>
///   +----------------+--------+---------------------------+
///   | length: u32 LE | type:u8| payload: length - 1 bytes |
///   +----------------+--------+---------------------------+
/// </code>
/// The length counts the type byte and the payload, so the smallest frame is 5 bytes on the wire and a length of
/// zero is an error. Integers in payloads are little-endian; strings are UTF-8, either the rest of the payload or
/// prefixed by their byte count.
/// </summary>
internal static class FrameHeader
{
    /// <summary>Bytes before the payload: the length and the type.</summary>
    public const int Size = 5;

    /// <summary>The default upper bound of a frame's length; each reader may set its own, lower one.</summary>
    public const int DefaultMaxLength = 1024 * 1024;
}
