using System.ComponentModel;
using System.Diagnostics;

namespace ChatFork.Platform;

/// <summary>
/// A worker started with <see cref="Process.Start(ProcessStartInfo)"/>. .NET reaps the children it starts (its
/// SIGCHLD handling calls <c>waitpid</c> for them), so ChatFork must never call <c>waitpid</c> itself: it would steal
/// the status. The supervisor learns of the exit by asking <see cref="HasExited"/>, which only reads what .NET
/// recorded: <see cref="Process.Exited"/> would cost a thread-pool wait thread per 63 children (see ExitWatcher).
/// </summary>
internal sealed class DotnetChildProcess : IWorkerProcess
{
    private readonly Process _process;

    private DotnetChildProcess(Process process)
    {
        _process = process;
        Id = process.Id;
    }

    public int Id { get; }

    public int ExitCode => _process.ExitCode;

    public Process Process => _process;

    public bool HasExited => _process.HasExited;

    public bool PreferPolling => true;

    /// <exception cref="ChatForkException">The executable could not be started.</exception>
    public static DotnetChildProcess Start(WorkerCommand command)
    {
        var info = new ProcessStartInfo(command.Path)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
        };
        foreach (var argument in command.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new ChatForkException($"Process.Start returned no process for {command.Path}.");
        }
        catch (Exception e) when (e is Win32Exception or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw new ChatForkException($"could not start {command.Path}: {e.Message}", e);
        }

        return new DotnetChildProcess(process);
    }

    /// <summary>Writes the worker's standard input and closes it; a worker that died at once is reaped as usual.</summary>
    public void GiveInput(byte[] input)
    {
        try
        {
            _process.StandardInput.BaseStream.Write(input);
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The worker died at once; the reaper reports it.
        }
    }

    public void OnExit(Action exited)
    {
        _process.Exited += (_, _) => exited();
        _process.EnableRaisingEvents = true;
    }

    public void Kill()
    {
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Exited already.
        }
        catch (Win32Exception)
        {
            // Exiting right now.
        }
    }

    public void Dispose() => _process.Dispose();
}
