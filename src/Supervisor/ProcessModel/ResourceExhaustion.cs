using System.ComponentModel;
using ChatFork.Interop.Unix;

namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// Tells a start that failed because the system is out of processes, threads or memory (<c>fork</c>/<c>clone</c>
/// returning EAGAIN when pid_max, threads-max or a pids cgroup is reached, ENOMEM; a thread start throwing
/// <see cref="OutOfMemoryException"/>) from one that failed for a reason that stays (a missing executable). Both back
/// off; the first is said as what it is, and passes when resources return.
/// </summary>
internal static class ResourceExhaustion
{
    public static bool IsExhaustion(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is OutOfMemoryException || x is Win32Exception { NativeErrorCode: Errno.EAGAIN or Errno.ENOMEM })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The innermost system message: "Resource temporarily unavailable".</summary>
    public static string Describe(Exception e)
    {
        var innermost = e;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return innermost is Win32Exception w ? $"{new Win32Exception(w.NativeErrorCode).Message}, errno {w.NativeErrorCode}" : innermost.Message;
    }
}
