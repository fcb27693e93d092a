using ChatFork;
using ChatFork.Worker;
using ChatFork.Worker.Loop;
using ChatFork.Worker.Platform;

// chatfork-worker: serves one client connection at a time (one in all, unless --reusable), handed to it by the
// chatfork supervisor. See WorkerLoop for the life of a worker, and docs/architecture.md for the whole picture.

// The supervisor's blocked SIGTERM and SIGINT are not the worker's (Platform/InheritedSignalMask.cs says why).
ChatFork.Worker.Platform.InheritedSignalMask.Release();

WorkerArguments arguments;
try
{
    arguments = WorkerArguments.Parse(args);
}
catch (FormatException e)
{
    Console.Error.WriteLine($"chatfork-worker: {e.Message}");
    Console.Error.WriteLine(WorkerArguments.Usage);
    return (int)WorkerExitCode.BadArguments;
}

if (!LoopPlatform.IsSupported)
{
    Console.Error.WriteLine("chatfork-worker: runs on Linux and Windows only.");
    return (int)WorkerExitCode.Failed;
}

try
{
    return new WorkerLoop(arguments).Run();
}
catch (Exception e)
{
    WorkerLog.Error($"worker failed: {e}");
    return (int)WorkerExitCode.Failed;
}
