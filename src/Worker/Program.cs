using ChatFork;
using ChatFork.Worker;

// chatfork-worker: serves exactly one client connection, handed to it by the chatfork supervisor.
// See WorkerProcess for the life of a worker, and docs/architecture.md for the whole picture.

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

try
{
    return new WorkerProcess(arguments).Run();
}
catch (Exception e)
{
    WorkerLog.Error($"worker failed: {e}");
    return (int)WorkerExitCode.Failed;
}
