namespace AtymSecure.Primitives;

/// <summary>
/// An input refused for one or more <see cref="Problem"/>s; <see cref="Problems"/> holds all of them (never empty).
/// Format-specific refusals derive from it so callers can catch the family or the one kind they handle. The message
/// starts with a heading that says what was refused (<c>invalid container config</c>, <c>install refused</c>).
/// </summary>
public class ProblemException : FormatException
{
    public ProblemException(string heading, IReadOnlyList<Problem> problems)
        : base(Describe(heading, problems))
    {
        ArgumentOutOfRangeException.ThrowIfZero(problems.Count);
        Problems = problems;
    }

    public ProblemException(string heading, Problem problem)
        : this(heading, [problem])
    {
    }

    /// <summary>Problems found while handling <paramref name="innerException"/> (a JSON reader's error, say), which stays the cause.</summary>
    public ProblemException(string heading, IReadOnlyList<Problem> problems, Exception? innerException)
        : base(Describe(heading, problems), innerException)
    {
        ArgumentOutOfRangeException.ThrowIfZero(problems.Count);
        Problems = problems;
    }

    public ProblemException()
        : this("invalid input")
    {
    }

    public ProblemException(string message)
        : base(message)
    {
        Problems = [new Problem("invalid", "$", message)];
    }

    public ProblemException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [new Problem("invalid", "$", message)];
    }

    public IReadOnlyList<Problem> Problems { get; }

    /// <summary>Whether some problem has <paramref name="code"/>.</summary>
    public bool Has(string code) => Problems.Any(p => p.Code == code);

    /// <summary>"heading (N problems):" and one problem a line; a single problem reads as one sentence.</summary>
    private static string Describe(string heading, IReadOnlyList<Problem> problems) => problems.Count switch
    {
        0 => heading,
        1 => $"{heading}: {problems[0]}",
        _ => $"{heading} ({problems.Count} problems):\n  " + string.Join("\n  ", problems),
    };
}
