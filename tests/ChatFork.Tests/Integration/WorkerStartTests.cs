using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>
/// A worker's start, with the test as its supervisor: it reads its secret from standard input (with read(2), no
/// Console), connects to its pipe and says hello with that secret. NativeWorkerTests runs the same checks against the
/// NativeAOT worker.
/// </summary>
[TestFixture]
[LinuxOnly("plays the supervisor over a Unix socket, with the test process as the worker's parent")]
public sealed class WorkerStartTests
{
    [Test]
    public Task Worker_reads_a_secret_without_a_newline_and_says_hello_with_it() =>
        ReadsSecretAndSaysHelloAsync(ServerProcess.WorkerPath);

    [Test]
    public Task Worker_with_a_short_secret_exits_with_the_sentence_it_always_had() =>
        RefusesShortSecretAsync(ServerProcess.WorkerPath);

    [Test]
    public async Task A_send_queue_above_the_workers_heap_cap_is_refused_with_a_sentence()
    {
        var info = TestTarget.StartInfo(ServerProcess.SupervisorPath, ["--port", "0", "--send-queue", "300000000"]);
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        Assert.That(process.ExitCode, Is.Not.Zero);
        Assert.That(await output + await errors, Does.Contain("--send-queue must be between 4096 and 268435456 bytes."));
    }

    internal static async Task ReadsSecretAndSaysHelloAsync(string workerPath)
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        await using var worker = await DirectWorker.StartAsync(workerPath, Encoding.ASCII.GetBytes(Convert.ToHexStringLower(secret)));
        using var pipe = await worker.AcceptAsync();

        // Hello: u32 length (type + payload), u8 type 1, i32 pid, u8 secret length, the secret.
        var hello = await DirectWorker.ReadExactlyAsync(pipe, 4 + 1 + 4 + 1 + 32);
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(hello), Is.EqualTo(1 + 4 + 1 + 32));
        Assert.That(hello[4], Is.EqualTo(1), "a Hello frame");
        Assert.That(BinaryPrimitives.ReadInt32LittleEndian(hello.AsSpan(5)), Is.EqualTo(worker.Process.Id));
        Assert.That(hello[9], Is.EqualTo(32));
        Assert.That(hello[10..], Is.EqualTo(secret), "the secret it was given, decoded from hex");

        // An idle worker told to go (Shutdown, empty text) exits normally.
        await pipe.SendAsync(new byte[] { 1, 0, 0, 0, 66 }, SocketFlags.None);
        Assert.That(await worker.WaitForExitAsync(), Is.Zero, await worker.Errors);
    }

    internal static async Task RefusesShortSecretAsync(string workerPath)
    {
        await using var worker = await DirectWorker.StartAsync(workerPath, "abcd\n"u8.ToArray());
        Assert.That(await worker.WaitForExitAsync(), Is.EqualTo((int)WorkerExitCode.AttachFailed));
        Assert.That(await worker.Errors, Does.Contain("The secret on standard input is missing or malformed."));
    }
}
