using NLog;

namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// The thread pool's threads, made at start rather than on demand under load: a thread the supervisor needs while
/// the system is out of pids is a thread it cannot have.
/// </summary>
/// <remarks>
/// <para><see cref="ThreadPool.SetMinThreads"/> alone creates nothing: it only lets the pool add threads without its
/// starvation delay once work is queued. So this queues that many work items that each wait until all of them
/// run, which makes the pool start its threads now; <c>System.Threading.ThreadPool.ThreadTimeoutMs = -1</c>
/// (chatfork's runtimeconfig, set in its project file) keeps them: an idle pool thread would otherwise end after
/// 20 s and be made again at the next burst.</para>
/// <para>On Linux the pool is also capped at them (<see cref="ThreadPool.SetMaxThreads"/>; Platform/ThreadPoolCap.cs says why not on Windows): .NET 10's pool does not survive a
/// thread it cannot start. When hill climbing or starvation raises its goal above the threads it has, it starts one
/// from whichever pool thread queues work (<c>PortableThreadPool.WorkerThread.MaybeAddWorkingWorker</c>, then
/// <c>CreateWorkerThread</c>: no <c>catch</c> in 10.0's IL; later runtimes add <c>TryCreateWorkerThread</c>), and
/// out of pids the <c>OutOfMemoryException</c> is unhandled: the supervisor aborted with <c>Out of memory.</c> under
/// ResourceExhaustionTests. With the goal capped at the threads that exist, the pool never starts one. The
/// supervisor's work on the pool never blocks on a client, so the threads made here are enough.</para>
/// </remarks>
internal static class ThreadReserve
{
    /// <summary>Pool threads made at start: two per core, at least four.</summary>
    public static int PoolThreads => Math.Max(4, 2 * Environment.ProcessorCount);

    public static void PrepareThreadPool(Logger log)
    {
        var wanted = PoolThreads;
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, wanted), io);
        // Not disposed: an item that starts after the 2 s below still touches them.
        var allRunning = new CountdownEvent(wanted);
        var release = new ManualResetEventSlim(false);
        for (var i = 0; i < wanted; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_ =>
            {
                allRunning.Signal();
                release.Wait(TimeSpan.FromSeconds(2));
            }, null);
        }

        var made = allRunning.Wait(TimeSpan.FromSeconds(2));
        release.Set();
        var capped = Platform.ThreadPoolCap.Applies;
        if (capped)
        {
            ThreadPool.GetMaxThreads(out _, out var ioMax);
            ThreadPool.SetMaxThreads(wanted, ioMax);
        }

        log.Debug(made
            ? $"thread pool: {ThreadPool.ThreadCount} threads made at start ({wanted} wanted), kept for the server's life{(capped ? ", and no more" : "")}"
            : $"thread pool: only {ThreadPool.ThreadCount} of {wanted} threads started within 2 s; the pool adds the rest when it needs them");
    }
}
