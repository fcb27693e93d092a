namespace ChatFork.Bench.Servers;

/// <summary>Finds the executables the bench starts: the peers on PATH, and ChatFork in the repository.</summary>
internal static class ToolLocator
{
    private static readonly string[] s_chatForkCandidates =
    [
        "artifacts/publish/chatfork",
        "src/Supervisor/bin/Release/net10.0/chatfork",
        "src/Supervisor/bin/Debug/net10.0/chatfork",
    ];

    /// <summary>The full path of <paramref name="name"/> on PATH.</summary>
    public static string FindOnPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new BenchException($"{name} was not found on PATH; install the peers with scripts/install-peers.sh.");
    }

    /// <summary>
    /// The chatfork executable: <paramref name="explicitPath"/> when given, else the first build output found under
    /// the repository root (the folder holding ChatFork.sln, searched upwards from the current folder and from the
    /// bench's own folder).
    /// </summary>
    public static string FindChatFork(string? explicitPath)
    {
        if (explicitPath is not null)
        {
            var full = Path.GetFullPath(explicitPath);
            return File.Exists(full)
                ? full
                : throw new BenchException($"The chatfork executable given with --chatfork does not exist: {full}.");
        }

        var root = FindRepositoryRoot()
            ?? throw new BenchException(
                "Could not find the ChatFork repository (no ChatFork.sln above the current folder); "
                + "pass --chatfork PATH.");
        foreach (var relative in s_chatForkCandidates)
        {
            var candidate = Path.Combine(root, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new BenchException(
            $"ChatFork's executable was not found (looked for {string.Join(", ", s_chatForkCandidates)} under {root}); "
            + "build it with 'dotnet build src/Supervisor' or pass --chatfork PATH.");
    }

    private static string? FindRepositoryRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "ChatFork.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        return null;
    }
}
