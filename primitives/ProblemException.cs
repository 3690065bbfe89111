namespace AtymSecure.Primitives;

/// <summary>
/// An input refused for one or more <see cref="Problem"/>s; <see cref="Problems"/> holds all of them (never empty).
/// Format-specific refusals derive from it so callers can catch the family or the one kind they handle.
/// </summary>
public class ProblemException : FormatException
{
    public ProblemException(string what, IReadOnlyList<Problem> problems)
        : base(Describe(what, problems))
    {
        ArgumentOutOfRangeException.ThrowIfZero(problems.Count);
        Problems = problems;
    }

    public ProblemException(string what, Problem problem)
        : this(what, [problem])
    {
    }

    public ProblemException()
        : this("input", new Problem("invalid", "$", "invalid input"))
    {
    }

    public ProblemException(string message)
        : this(message, new Problem("invalid", "$", message))
    {
    }

    public ProblemException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [new Problem("invalid", "$", message)];
    }

    public IReadOnlyList<Problem> Problems { get; }

    /// <summary>"invalid X (N problems):" and one problem a line; a single problem reads as one sentence.</summary>
    private static string Describe(string what, IReadOnlyList<Problem> problems) => problems.Count switch
    {
        0 => $"invalid {what}",
        1 => $"invalid {what}: {problems[0]}",
        _ => $"invalid {what} ({problems.Count} problems):\n  " + string.Join("\n  ", problems),
    };
}
