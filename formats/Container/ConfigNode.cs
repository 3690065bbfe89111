using AtymSecure.Primitives;

namespace AtymSecure.Formats.Container;

/// <summary>
/// A format-neutral document tree (JSON or YAML) that <see cref="ContainerConfigReader"/> maps onto the
/// model, so both formats get the same field rules and the same error paths. Builders (JSON here, YAML in
/// AtymSecure.Container) enforce their own size/depth limits and report duplicate keys.
/// </summary>
public abstract record ConfigNode;

public sealed record ConfigMap(IReadOnlyList<KeyValuePair<string, ConfigNode>> Entries) : ConfigNode;

public sealed record ConfigList(IReadOnlyList<ConfigNode> Items) : ConfigNode;

public enum ConfigScalarKind
{
    /// <summary>A JSON string or quoted YAML scalar: always text.</summary>
    String,
    /// <summary>A JSON number.</summary>
    Number,
    Boolean,
    Null,
    /// <summary>An unquoted YAML scalar: text that may also read as a number, boolean or null.</summary>
    Plain,
}

public sealed record ConfigScalar(string Text, ConfigScalarKind Kind) : ConfigNode
{
    /// <summary>True for JSON null and YAML's plain <c>null</c>, <c>~</c> or empty scalar (YAML 1.2 core schema).</summary>
    public bool IsNull => Kind == ConfigScalarKind.Null || (Kind == ConfigScalarKind.Plain && Text is "" or "~" or "null" or "Null" or "NULL");
}

/// <summary>A config that failed to parse or validate; <see cref="ProblemException.Problems"/> holds every problem found.</summary>
public sealed class ContainerConfigException : ProblemException
{
    public ContainerConfigException(IReadOnlyList<Problem> problems)
        : base("invalid container config", problems)
    {
    }

    public ContainerConfigException(Problem problem)
        : base("invalid container config", problem)
    {
    }

    public ContainerConfigException()
    {
    }

    public ContainerConfigException(string message)
        : base(message)
    {
    }

    public ContainerConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Builds JSON paths: <c>$.a.b[3]</c>, with bracket-quoting for keys that are not identifiers.</summary>
public static class ConfigPath
{
    public static string Field(string parent, string key) =>
        key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && !char.IsAsciiDigit(key[0])
            ? $"{parent}.{key}"
            : $"{parent}['{key.Replace("'", "\\'", StringComparison.Ordinal)}']";

    public static string Index(string parent, int index) => $"{parent}[{index}]";
}
