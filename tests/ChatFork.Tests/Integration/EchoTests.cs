using System.Net.Sockets;
using System.Text;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>Echo mode: the classic TCP echo server, on every concurrency model.</summary>
[TestFixture("process")]
[TestFixture("thread")]
[TestFixture("async")]
public sealed class EchoTests
{
    private readonly string _model;

    public EchoTests(string model)
    {
        _model = model;
    }

    [Test]
    public async Task Every_line_comes_back_byte_for_byte_and_nothing_else()
    {
        await using var server = await ServerProcess.StartAsync("--mode", "echo", "--model", _model);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.EndPoint);

        var sent = Encoding.UTF8.GetBytes("hello\nwith crlf\r\nünïcödé ✓\n\ttabs and  spaces \n\n");
        // In pieces, across line boundaries, as a slow typist would.
        foreach (var chunk in sent.Chunk(3))
        {
            await socket.SendAsync(chunk);
        }

        var received = await Sockets.ReceiveAsync(socket, sent.Length, TimeSpan.FromSeconds(10));
        Assert.That(received, Is.EqualTo(sent));

        socket.Shutdown(SocketShutdown.Send);
        var rest = await Sockets.ReceiveAsync(socket, 1, TimeSpan.FromSeconds(10));
        Assert.That(rest, Is.Empty, "echo mode sends nothing but the echo: EOF follows");
    }
}
