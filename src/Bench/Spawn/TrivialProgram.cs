using System.Diagnostics;

namespace ChatFork.Bench.Spawn;

/// <summary>
/// The smallest program worth spawning: <c>int main(void) { return 0; }</c>, compiled at run time with <c>cc</c>
/// into a temporary folder (deleted on dispose), so the floor is this machine's, not a binary's from elsewhere.
/// Without a C compiler it is <c>/bin/true</c>, and <see cref="What"/> says so.
/// </summary>
internal sealed class TrivialProgram : IDisposable
{
    private static readonly TimeSpan s_compileLimit = TimeSpan.FromSeconds(60);

    private readonly string? _folder;

    private TrivialProgram(string path, string what, string? folder)
    {
        Path = path;
        What = what;
        _folder = folder;
    }

    public string Path { get; }

    /// <summary>What was spawned, for the table: "a trivial C program (cc)" or "/bin/true (no cc found)".</summary>
    public string What { get; }

    /// <summary>Why <c>/bin/true</c> stands in, when it does.</summary>
    public string? Note { get; private init; }

    public static TrivialProgram Create()
    {
        string compiler;
        try
        {
            compiler = Servers.ToolLocator.FindOnPath("cc");
        }
        catch (BenchException)
        {
            return Fallback("no C compiler (cc) was found on PATH");
        }

        var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"chatfork-bench-spawn-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var source = System.IO.Path.Combine(folder, "trivial.c");
        var binary = System.IO.Path.Combine(folder, "trivial");
        File.WriteAllText(source, "int main(void) { return 0; }\n");
        var failure = Compile(compiler, source, binary);
        if (failure is null)
        {
            return new TrivialProgram(binary, "a trivial C program (cc -O2, dynamic)", folder);
        }

        Directory.Delete(folder, recursive: true);
        return Fallback($"cc failed ({failure})");
    }

    public void Dispose()
    {
        if (_folder is not null && Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static TrivialProgram Fallback(string why) =>
        new("/bin/true", "/bin/true", null) { Note = $"The spawn floor used /bin/true: {why}." };

    private static string? Compile(string compiler, string source, string binary)
    {
        var start = new ProcessStartInfo(compiler)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-O2", "-o", binary, source })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new BenchException($"Could not start {compiler}.");
        var errors = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(s_compileLimit))
        {
            process.Kill();
            return $"it took longer than {s_compileLimit.TotalSeconds:0} s";
        }

        return process.ExitCode == 0 && File.Exists(binary)
            ? null
            : $"exit code {process.ExitCode}: {errors.Result.Trim()}";
    }
}
