using ChatFork.Protocol;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

public sealed class FrameCodecTests
{
    private static FrameDecoder WorkerSide(int max = 4096) => new(max, FrameTypes.IsFromSupervisor, initialCapacity: 16);

    private static FrameDecoder SupervisorSide(int max = 4096) => new(max, FrameTypes.IsFromWorker, initialCapacity: 16);

    [Test]
    public void A_line_frame_round_trips_with_its_sequence_number()
    {
        var buffer = new FrameBuffer();
        buffer.WriteLineFrame(42, "<alice> héllo"u8);
        var decoder = WorkerSide();
        decoder.Append(buffer.WrittenSpan);

        Assert.That(decoder.TryReadFrame(out var frame), Is.True);
        Assert.That(frame.Type, Is.EqualTo(FrameType.Line));
        var reader = frame.Reader();
        Assert.That(reader.ReadInt64(), Is.EqualTo(42));
        Assert.That(reader.ReadRestUtf8(), Is.EqualTo("<alice> héllo"));
        Assert.That(decoder.TryReadFrame(out _), Is.False);
    }

    [Test]
    public void The_header_holds_the_length_of_type_and_payload_little_endian()
    {
        var buffer = new FrameBuffer();
        buffer.WriteTextFrame(FrameType.Say, "hi");
        Assert.That(buffer.WrittenSpan.ToArray(), Is.EqualTo(new byte[] { 3, 0, 0, 0, (byte)FrameType.Say, (byte)'h', (byte)'i' }));
    }

    [Test]
    public void Frames_split_at_every_byte_boundary_are_reassembled()
    {
        var buffer = new FrameBuffer();
        buffer.WriteTextFrame(FrameType.Say, "first");
        new HelloMessage(1234, Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()).WriteTo(buffer);
        new LeavingMessage(LeaveReason.Quit, "bye").WriteTo(buffer);
        var bytes = buffer.WrittenSpan.ToArray();

        for (var split = 0; split <= bytes.Length; split++)
        {
            var decoder = SupervisorSide();
            var types = new List<FrameType>();
            decoder.Append(bytes.AsSpan(0, split));
            while (decoder.TryReadFrame(out var f))
            {
                types.Add(f.Type);
            }

            decoder.Append(bytes.AsSpan(split));
            while (decoder.TryReadFrame(out var f))
            {
                types.Add(f.Type);
                if (f.Type == FrameType.Hello)
                {
                    var hello = HelloMessage.Read(f);
                    Assert.That(hello.ProcessId, Is.EqualTo(1234));
                }
            }

            Assert.That(types, Is.EqualTo(new[] { FrameType.Say, FrameType.Hello, FrameType.Leaving }), $"split at {split}");
        }
    }

    [Test]
    public void Many_frames_in_one_read_all_come_out_in_order()
    {
        var buffer = new FrameBuffer();
        for (var i = 1; i <= 1000; i++)
        {
            buffer.WriteLineFrame(i, System.Text.Encoding.UTF8.GetBytes($"line {i}"));
        }

        var decoder = WorkerSide();
        decoder.Append(buffer.WrittenSpan);
        var expected = 1L;
        while (decoder.TryReadFrame(out var frame))
        {
            Assert.That(frame.Reader().ReadInt64(), Is.EqualTo(expected++));
        }

        Assert.That(expected, Is.EqualTo(1001));
    }

    [Test]
    public void A_zero_length_is_rejected()
    {
        var decoder = SupervisorSide();
        decoder.Append(new byte[] { 0, 0, 0, 0, 3 });
        Assert.That(() => decoder.TryReadFrame(out _), Throws.TypeOf<ProtocolException>().With.Message.Contains("length zero"));
    }

    [Test]
    public void A_length_over_the_limit_is_rejected_before_any_payload_arrives()
    {
        var decoder = SupervisorSide(max: 100);
        decoder.Append(new byte[] { 101, 0, 0, 0, 3 });
        Assert.That(() => decoder.TryReadFrame(out _), Throws.TypeOf<ProtocolException>().With.Message.Contains("limit"));
    }

    [Test]
    public void A_frame_type_from_the_wrong_direction_is_rejected()
    {
        var buffer = new FrameBuffer();
        buffer.WriteLineFrame(1, "x"u8); // supervisor -> worker only
        var decoder = SupervisorSide();
        decoder.Append(buffer.WrittenSpan);
        Assert.That(() => decoder.TryReadFrame(out _), Throws.TypeOf<ProtocolException>());
    }

    [Test]
    public void A_truncated_payload_is_a_protocol_error_not_an_index_exception()
    {
        var buffer = new FrameBuffer();
        buffer.BeginFrame(FrameType.Hello);
        buffer.WriteInt32(7); // no secret length, no secret
        buffer.EndFrame();
        var decoder = SupervisorSide();
        decoder.Append(buffer.WrittenSpan);
        Assert.That(decoder.TryReadFrame(out var frame), Is.True);
        var type = frame.Type;
        var payload = frame.Payload.ToArray();
        Assert.That(() => HelloMessage.Read(new Frame(type, payload)), Throws.TypeOf<ProtocolException>());
    }

    [Test]
    public void Invalid_utf8_in_a_text_field_is_a_protocol_error()
    {
        var decoder = SupervisorSide();
        var buffer = new FrameBuffer();
        buffer.WriteFrame(FrameType.Nick, new byte[] { 0xff, 0xfe });
        decoder.Append(buffer.WrittenSpan);
        Assert.That(decoder.TryReadFrame(out var frame), Is.True);
        var payload = frame.Payload.ToArray();
        Assert.That(() => new Frame(FrameType.Nick, payload).Reader().ReadRestUtf8(), Throws.TypeOf<ProtocolException>());
    }

    [Test]
    public void A_handoff_message_round_trips()
    {
        var buffer = new FrameBuffer();
        new HandoffMessage(3, [1, 2, 3]).WriteTo(buffer);
        var decoder = WorkerSide();
        decoder.Append(buffer.WrittenSpan);
        Assert.That(decoder.TryReadFrame(out var frame), Is.True);
        var message = HandoffMessage.Read(frame);
        Assert.That(message.SocketOptions, Is.EqualTo(3));
        Assert.That(message.DuplicatedSocket, Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [Test]
    public void The_decoder_buffer_never_grows_past_one_maximal_frame()
    {
        var decoder = SupervisorSide(max: 1000);
        var header = new byte[] { 232, 3, 0, 0, (byte)FrameType.Say }; // 1000 bytes
        decoder.Append(header);
        Assert.That(decoder.TryReadFrame(out _), Is.False);
        decoder.Append(new byte[999]);
        Assert.That(decoder.TryReadFrame(out var frame), Is.True);
        Assert.That(frame.Payload.Length, Is.EqualTo(999));
        Assert.That(decoder.GetReadBuffer().Length, Is.LessThanOrEqualTo(1004));
    }
}
