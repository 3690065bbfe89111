using System.Diagnostics.CodeAnalysis;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Container;

/// <summary>
/// The one container-name rule (docs/container-format.md#names): 1-32 characters of <c>[a-z0-9-]</c>, starting
/// and ending with a letter or digit, i.e. <c>[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?</c>. The length is the on-flash
/// limit (the partition table v1 stores a name in 32 ASCII bytes), so every name a container config, a bundle
/// header and <c>atym device init</c> accept fits a device. Every refusal has the code of the rule,
/// <see cref="ConfigProblemCodes.InvalidName"/> (<c>invalid-name</c>), wherever the name came from; the message says
/// why. Compares by value, ordinally.
/// </summary>
public sealed record ContainerName : IComparable<ContainerName>
{
    public const int MaxLength = 32;

    /// <summary>The rule as a regular expression, for schemas and messages.</summary>
    public const string Grammar = "[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?";

    private ContainerName(string value) => Value = value;

    public string Value { get; }

    /// <exception cref="ProblemException">Not a container name (the problem says why).</exception>
    public static ContainerName Parse(string? text, string path = "name") =>
        TryParse(text, path, out var name, out var problem) ? name : throw new ProblemException("container name", problem);

    /// <param name="path">Where the text came from (<c>$.name</c>, <c>header.containerName</c>, <c>--container</c>), for the problem.</param>
    public static bool TryParse(string? text, string path, [NotNullWhen(true)] out ContainerName? name, [NotNullWhen(false)] out Problem? problem)
    {
        ArgumentNullException.ThrowIfNull(path);
        problem = Check(text, path);
        name = problem is null ? new ContainerName(text!) : null;
        return problem is null;
    }

    public static bool IsValid(string? text) => Check(text, "name") is null;

    /// <summary>The one problem with <paramref name="text"/> as a container name, or null when it is one.</summary>
    public static Problem? Check(string? text, string path)
    {
        const string rule = "a container name is 1-32 characters of [a-z0-9-], starting and ending with a letter or digit";
        if (string.IsNullOrEmpty(text)) return new Problem(ConfigProblemCodes.InvalidName, path, $"empty; {rule}");
        // Bounded before anything else looks at it: untrusted text may be long, and is never echoed whole.
        if (text.Length > MaxLength)
            return new Problem(ConfigProblemCodes.InvalidName, path, $"'{Shorten(text)}' is {text.Length} characters, at most {MaxLength} ({rule})");
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
                return new Problem(ConfigProblemCodes.InvalidName, path, $"'{text}' has '{Printable(c)}'; {rule}");
        }
        if (text[0] == '-' || text[^1] == '-')
            return new Problem(ConfigProblemCodes.InvalidName, path, $"'{text}' starts or ends with '-'; {rule}");
        return null;
    }

    public int CompareTo(ContainerName? other) => other is null ? 1 : string.CompareOrdinal(Value, other.Value);

    public bool Equals(ContainerName? other) => other is not null && string.Equals(Value, other.Value, StringComparison.Ordinal);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    public override string ToString() => Value;

    private static string Shorten(string text) => text.Length <= 48 ? text : text[..45] + "...";

    private static string Printable(char c) => char.IsControl(c) || char.IsWhiteSpace(c) || c > '~' ? $"\\u{(int)c:X4}" : c.ToString();
}
