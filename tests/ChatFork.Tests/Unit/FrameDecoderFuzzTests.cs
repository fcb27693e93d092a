using System.Diagnostics;
using ChatFork.Protocol;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

/// <summary>
/// Generated inputs against the supervisor's frame decoding: random garbage, truncated and mutated real frames, in
/// random chunks. Whatever arrives, the only failure allowed is <see cref="ProtocolException"/> (which the supervisor
/// turns into dropping the worker), and memory never grows past one maximal frame. Seeded, bounded in count and time.
/// </summary>
public sealed class FrameDecoderFuzzTests
{
    private const int MaxFrame = 4096 + 256;

    [Test]
    public void Random_bytes_never_throw_anything_but_a_protocol_error()
    {
        var random = new Random(20261127);
        var stopwatch = Stopwatch.StartNew();
        var cases = 0;
        for (; cases < 20_000 && stopwatch.Elapsed < TimeSpan.FromSeconds(5); cases++)
        {
            var bytes = new byte[random.Next(0, 512)];
            random.NextBytes(bytes);
            if (random.Next(3) == 0 && bytes.Length >= 5)
            {
                // Often a plausible header, so that payload readers get exercised too.
                BitConverter.TryWriteBytes(bytes.AsSpan(0, 4), random.Next(1, bytes.Length));
                bytes[4] = (byte)random.Next(1, 11);
            }

            Decode(bytes, random);
        }

        Assert.That(cases, Is.GreaterThan(1000));
    }

    [Test]
    public void Mutated_and_truncated_real_frames_never_throw_anything_but_a_protocol_error()
    {
        var random = new Random(7);
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < 20_000 && stopwatch.Elapsed < TimeSpan.FromSeconds(5); i++)
        {
            var frames = new FrameBuffer();
            for (var n = random.Next(1, 6); n > 0; n--)
            {
                WriteRandomFrame(frames, random);
            }

            var bytes = frames.WrittenSpan.ToArray();
            for (var flips = random.Next(0, 4); flips > 0 && bytes.Length > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            }

            Decode(bytes.AsSpan(0, random.Next(bytes.Length + 1)).ToArray(), random);
        }
    }

    [Test]
    public void Valid_frames_in_random_chunks_come_out_exactly_as_they_went_in()
    {
        var random = new Random(99);
        for (var i = 0; i < 2_000; i++)
        {
            var frames = new FrameBuffer();
            var expected = new List<(FrameType, byte[])>();
            for (var n = random.Next(1, 20); n > 0; n--)
            {
                var payload = new byte[random.Next(0, 300)];
                random.NextBytes(payload);
                var type = (FrameType)random.Next(1, 11);
                frames.WriteFrame(type, payload);
                expected.Add((type, payload));
            }

            var decoder = new FrameDecoder(MaxFrame, FrameTypes.IsFromWorker, initialCapacity: 8);
            var actual = new List<(FrameType, byte[])>();
            var bytes = frames.WrittenSpan.ToArray();
            for (var offset = 0; offset < bytes.Length;)
            {
                var chunk = Math.Min(random.Next(1, 64), bytes.Length - offset);
                var target = decoder.GetReadBuffer().Span;
                chunk = Math.Min(chunk, target.Length);
                bytes.AsSpan(offset, chunk).CopyTo(target);
                decoder.Advance(chunk);
                offset += chunk;
                while (decoder.TryReadFrame(out var frame))
                {
                    actual.Add((frame.Type, frame.Payload.ToArray()));
                }
            }

            Assert.That(actual, Has.Count.EqualTo(expected.Count));
            for (var k = 0; k < expected.Count; k++)
            {
                Assert.That(actual[k].Item1, Is.EqualTo(expected[k].Item1));
                Assert.That(actual[k].Item2, Is.EqualTo(expected[k].Item2));
            }
        }
    }

    // Feeds the bytes in random chunks through the socket-style API and reads every frame with its typed reader,
    // as the supervisor does.
    private static void Decode(byte[] bytes, Random random)
    {
        var decoder = new FrameDecoder(MaxFrame, FrameTypes.IsFromWorker, initialCapacity: 64);
        try
        {
            for (var offset = 0; offset < bytes.Length;)
            {
                var target = decoder.GetReadBuffer().Span;
                Assert.That(target.Length + decoder.Buffered, Is.LessThanOrEqualTo(Math.Max(MaxFrame + 4, 128)), "the buffer grew past one frame");
                var chunk = Math.Min(Math.Min(random.Next(1, 100), bytes.Length - offset), target.Length);
                bytes.AsSpan(offset, chunk).CopyTo(target);
                decoder.Advance(chunk);
                offset += chunk;
                while (decoder.TryReadFrame(out var frame))
                {
                    ReadTyped(frame);
                }
            }
        }
        catch (ProtocolException)
        {
            // The one allowed outcome for bad input.
        }
    }

    private static void ReadTyped(Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.Hello:
                HelloMessage.Read(frame);
                break;
            case FrameType.Leaving:
                LeavingMessage.Read(frame);
                break;
            case FrameType.Whisper:
                WhisperMessage.Read(frame);
                break;
            case FrameType.Log:
                LogMessage.Read(frame);
                break;
            case FrameType.Nick:
                frame.Reader().ReadRestUtf8();
                break;
            default:
                frame.Reader().ReadRest();
                break;
        }
    }

    private static void WriteRandomFrame(FrameBuffer frames, Random random)
    {
        switch (random.Next(5))
        {
            case 0:
                var secret = new byte[HelloMessage.SecretLength];
                random.NextBytes(secret);
                new HelloMessage(random.Next(), secret).WriteTo(frames);
                break;
            case 1:
                new LeavingMessage((LeaveReason)random.Next(1, 9), "detail " + random.Next()).WriteTo(frames);
                break;
            case 2:
                new WhisperMessage("bob", "psst " + random.Next()).WriteTo(frames);
                break;
            case 3:
                new LogMessage((WorkerLogLevel)random.Next(0, 4), "log " + random.Next()).WriteTo(frames);
                break;
            default:
                frames.WriteTextFrame(FrameType.Say, "hello " + random.Next());
                break;
        }
    }
}
