namespace ChatFork.Bench.Compare;

/// <summary>One way of starting ChatFork for a compare case, e.g. a warm pool (--prespawn 8) or a cold start.</summary>
/// <param name="Name">Empty for the default set-up of a case; else shown beside the metric ("warm", "--fanout shm").</param>
/// <param name="Prespawn">ChatFork's --prespawn, or null for the --prespawn given to the bench, if any.</param>
/// <param name="Gap">For the greeting: a pause between connections (see GreetingScenario.Gap); zero: back to back.</param>
internal sealed record ChatForkVariant(string Name, int? Prespawn, TimeSpan Gap = default)
{
    /// <summary>Extra arguments for chatfork, e.g. <c>--worker-reuse 1000</c>.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>
    /// The option the variant needs (e.g. <c>--worker-reuse</c>); a chatfork whose --help does not list it runs
    /// without the variant, which the table reports as "not available in this build". Null: every build has it.
    /// </summary>
    public string? Requires { get; init; }

    /// <summary>A word the --help text must also hold (e.g. <c>shm</c> for <c>--fanout shm</c>); null: none.</summary>
    public string? RequiresWord { get; init; }

    /// <summary>
    /// A variant whose extra arguments name an option that arrived later: needs that option, and a value that is a
    /// word (<c>shm</c>, not <c>1000</c>) must be named in the help too.
    /// </summary>
    public static ChatForkVariant WithOption(string name, string option, string value, int? prespawn = null) =>
        new(name, prespawn)
        {
            Args = [option, value],
            Requires = option,
            RequiresWord = value.All(char.IsAsciiLetter) ? value : null,
        };
}
