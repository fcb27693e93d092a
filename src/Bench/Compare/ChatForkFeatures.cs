using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ChatFork.Bench.Compare;

/// <summary>
/// The options a chatfork build has, read from its <c>--help</c>: the bench is run against builds older and newer
/// than itself, and a variant that needs an option the build lacks is reported, not run into an error.
/// </summary>
internal sealed partial class ChatForkFeatures
{
    private static readonly TimeSpan s_helpLimit = TimeSpan.FromSeconds(30);

    private readonly HashSet<string> _options;
    private readonly string _help;

    private ChatForkFeatures(string help)
    {
        _help = help;
        _options = [.. OptionName().Matches(help).Select(match => match.Value)];
    }

    /// <summary>Every option of <paramref name="help"/> (the text chatfork --help prints).</summary>
    public static ChatForkFeatures FromHelp(string help) => new(help);

    /// <summary>Runs <c>chatfork --help</c> (bounded in time) and reads its options.</summary>
    public static ChatForkFeatures Read(string chatForkPath)
    {
        var start = new ProcessStartInfo(chatForkPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("--help");
        using var process = Process.Start(start) ?? throw new BenchException($"Could not start {chatForkPath} --help.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(s_helpLimit))
        {
            process.Kill();
            throw new BenchException($"{chatForkPath} --help did not finish within {s_helpLimit.TotalSeconds:0} s.");
        }

        // CommandLineParser writes the help to stderr; either stream will do.
        return new ChatForkFeatures(output.Result + "\n" + errors.Result);
    }

    public bool Has(string option) => _options.Contains(option);

    /// <summary>Null when this build can run <paramref name="variant"/>; else the sentence the table shows.</summary>
    public string? Unavailable(ChatForkVariant variant)
    {
        if (variant.Requires is not { } option)
        {
            return null;
        }

        if (!Has(option))
        {
            return $"not available in this build (its --help has no {option})";
        }

        return variant.RequiresWord is { } word && !Regex.IsMatch(_help, $@"\b{Regex.Escape(word)}\b")
            ? $"not available in this build (its --help does not mention {option} {word})"
            : null;
    }

    // "--worker-reuse" but not the "--worker" inside it, nor "a--b".
    [GeneratedRegex(@"(?<![\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*")]
    private static partial Regex OptionName();
}
