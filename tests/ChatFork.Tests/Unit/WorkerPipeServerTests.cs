using System.IO.Pipes;
using ChatFork.Platform;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

/// <summary>
/// The supervisor's end of a worker's pipe (<see cref="WorkerPipeServer"/>) with a real peer: on Linux our own
/// listener and a <see cref="NamedPipeServerStream"/> made over the accepted descriptor.
/// </summary>
[TestFixture]
[LinuxOnly("the Unix half is our own listener; on Windows it is .NET's NamedPipeServerStream as it comes")]
public sealed class WorkerPipeServerTests
{
    // The pipe reader and the outbox start at once on a freshly attached pipe (a worker's first line and the room's
    // first line for it). .NET makes a handle-built stream's Socket lazily, and when two threads make it at the same
    // moment the loser disposes its Socket, which owns the same descriptor: the pipe is closed under both (CI saw it
    // as "Broken pipe" on the worker's first write). Rounds are bounded; a round is a few hundred microseconds.
    [Test]
    public async Task A_first_read_and_a_first_write_started_at_once_leave_the_pipe_open()
    {
        const int rounds = 300;
        var directory = Directory.CreateTempSubdirectory("chatfork-pipe-test-").FullName;
        try
        {
            for (var round = 0; round < rounds; round++)
            {
                var path = Path.Combine(directory, $"p{round}");
                using var server = WorkerPipeServer.Listen(path);
                var connected = server.WaitForConnectionAsync(CancellationToken.None);
                using var worker = new NamedPipeClientStream(".", path, PipeDirection.InOut, PipeOptions.Asynchronous);
                await worker.ConnectAsync(5000);
                await connected;
                var pipe = server.Stream;
                var descriptor = (int)pipe.SafePipeHandle.DangerousGetHandle();

                using var start = new Barrier(2);
                var buffer = new byte[16];
                var reading = Task.Run(async () =>
                {
                    start.SignalAndWait();
                    return await pipe.ReadAsync(buffer);
                });
                var writing = Task.Run(async () =>
                {
                    start.SignalAndWait();
                    await pipe.WriteAsync("down"u8.ToArray());
                });

                await writing.WaitAsync(TimeSpan.FromSeconds(10));
                var down = new byte[4];
                await worker.ReadExactlyAsync(down).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
                worker.Write("up"u8);
                var read = await reading.WaitAsync(TimeSpan.FromSeconds(10));

                Assert.That(read, Is.EqualTo(2), $"round {round}: the supervisor's end should read the worker's bytes");
                Assert.That(System.Text.Encoding.ASCII.GetString(down), Is.EqualTo("down"), $"round {round}");
                Assert.That(File.Exists($"/proc/self/fd/{descriptor}"), Is.True, $"round {round}: the pipe's descriptor was closed under it");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
