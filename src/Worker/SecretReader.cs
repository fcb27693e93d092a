using ChatFork.Platform;
using ChatFork.Protocol;

namespace ChatFork.Worker;

/// <summary>
/// Reads the worker's secret: one line of hex on standard input, then end of file. Unlike the command line, it is not
/// visible in /proc/PID/cmdline. The supervisor writes a newline after it; a secret without one is read to the end.
/// </summary>
/// <remarks>
/// Read with <c>read(0, ...)</c> (<see cref="StandardInput"/>) into a stack buffer and decoded in place: no Console, no
/// Encoding, no string. This runs in every worker before it can attach.
/// </remarks>
internal static class SecretReader
{
    public const string Malformed = "The secret on standard input is missing or malformed.";

    /// <exception cref="FormatException">With <see cref="Malformed"/>: too short, too long, or not hex.</exception>
    /// <exception cref="IOException">Standard input cannot be read.</exception>
    public static byte[] Read()
    {
        // Room for the hex, its newline and one byte more, which tells a secret that is too long from a right one.
        Span<byte> buffer = stackalloc byte[HelloMessage.SecretLength * 2 + 2];
        var length = 0;
        while (length < buffer.Length)
        {
            var n = StandardInput.Read(buffer[length..]);
            if (n == 0)
            {
                break;
            }

            length += n;
            if (buffer[..length].Contains((byte)'\n'))
            {
                break;
            }
        }

        return Decode(buffer[..length]);
    }

    private static byte[] Decode(ReadOnlySpan<byte> text)
    {
        var hex = text.Trim(" \t\r\n"u8);
        if (hex.Length != HelloMessage.SecretLength * 2)
        {
            throw new FormatException(Malformed);
        }

        var secret = new byte[HelloMessage.SecretLength];
        for (var i = 0; i < secret.Length; i++)
        {
            secret[i] = (byte)((Nibble(hex[2 * i]) << 4) | Nibble(hex[2 * i + 1]));
        }

        return secret;
    }

    private static int Nibble(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => throw new FormatException(Malformed),
    };
}
