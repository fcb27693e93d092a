using ChatFork.Protocol;
using ChatFork.Text;

namespace ChatFork.Sessions;

/// <summary>
/// The part of every session's read loop that does not care how the bytes were read (blocking in a worker or a
/// connection thread, awaited in the async model): cut them into lines, hand each to the handler, end the session on
/// a line over the limit, and flush once for the whole read.
/// </summary>
internal static class LineFeed
{
    public static void Feed(LineSplitter splitter, ReadOnlySpan<byte> input, ILineHandler handler, ISessionControl session)
    {
        while (true)
        {
            var status = splitter.Next(ref input, out var line);
            if (status == LineStatus.Line)
            {
                handler.OnLine(line);
            }
            else if (status == LineStatus.NeedMore)
            {
                break;
            }
            else
            {
                handler.OnBatchEnd();
                var max = splitter.MaxLineBytes;
                session.EndSession(LeaveReason.LineTooLong, $"client sent a line over {max} bytes (--max-line)",
                    $"* line too long (the limit is {max} bytes); disconnecting");
            }
        }

        handler.OnBatchEnd();
    }

    /// <summary>At end of stream: an unterminated last line still counts (<c>printf hello | nc</c>).</summary>
    public static void FeedRemainder(LineSplitter splitter, ILineHandler handler)
    {
        if (splitter.TryTakeRemainder(out var last))
        {
            handler.OnLine(last);
            handler.OnBatchEnd();
        }
    }
}
