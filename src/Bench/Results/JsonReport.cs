using System.Text.Json;

namespace ChatFork.Bench.Results;

/// <summary>Writes a <see cref="BenchReport"/> to a file.</summary>
internal static class JsonReport
{
    public static void Write(string path, BenchReport report)
    {
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            File.WriteAllText(path, JsonSerializer.Serialize(report, BenchJsonContext.Default.BenchReport) + "\n");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BenchException($"Could not write the JSON report to {path}: {ex.Message}", ex);
        }
    }
}
