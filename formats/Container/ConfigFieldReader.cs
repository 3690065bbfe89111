using System.Globalization;
using AtymSecure.Primitives;
using static AtymSecure.Formats.Container.ConfigProblemCodes;

namespace AtymSecure.Formats.Container;

/// <summary>
/// Reads typed fields out of one <see cref="ConfigMap"/>, recording a <see cref="Problem"/> (and
/// returning null) instead of throwing, so a whole document is checked in one pass.
/// </summary>
internal sealed class ConfigFieldReader
{
    private readonly Dictionary<string, ConfigNode> _fields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private readonly List<Problem> _errors;

    private ConfigFieldReader(string path, List<Problem> errors)
    {
        Path = path;
        _errors = errors;
    }

    public string Path { get; }

    /// <summary>Opens <paramref name="node"/> as an object; null (with an error) when it is not one.</summary>
    public static ConfigFieldReader? Open(ConfigNode node, string path, List<Problem> errors)
    {
        if (node is not ConfigMap map)
        {
            errors.Add(new Problem(WrongType, path, $"must be an object, got {Describe(node)}"));
            return null;
        }
        var reader = new ConfigFieldReader(path, errors);
        foreach (var (key, value) in map.Entries)
        {
            if (!reader._fields.TryAdd(key, value)) errors.Add(new Problem(DuplicateKey, ConfigPath.Field(path, key), "duplicate key"));
        }
        return reader;
    }

    public void Error(string code, string path, string message) => _errors.Add(new Problem(code, path, message));

    /// <summary>The raw node of a field (null when absent or explicitly null); marks the key as known.</summary>
    public ConfigNode? Node(string key, bool required = false)
    {
        _known.Add(key);
        if (!_fields.TryGetValue(key, out var node) || node is ConfigScalar { IsNull: true })
        {
            if (required) Error(Required, ConfigPath.Field(Path, key), "required");
            return null;
        }
        return node;
    }

    public string? String(string key, bool required = false)
    {
        var node = Node(key, required);
        return node is null ? null : AsString(node, ConfigPath.Field(Path, key));
    }

    public string? AsString(ConfigNode node, string path)
    {
        if (node is ConfigScalar { Kind: ConfigScalarKind.String or ConfigScalarKind.Plain } s) return s.Text;
        Error(WrongType, path, $"must be a string, got {Describe(node)}");
        return null;
    }

    public long? Integer(string key, long min, long max)
    {
        var node = Node(key);
        if (node is null) return null;
        var path = ConfigPath.Field(Path, key);
        if (node is not ConfigScalar { Kind: ConfigScalarKind.Number or ConfigScalarKind.Plain } s
            || !long.TryParse(s.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            Error(WrongType, path, $"must be an integer, got {Describe(node)}");
            return null;
        }
        if (value < min || value > max)
        {
            Error(OutOfRange, path, $"{value} is outside {min}..{max}");
            return null;
        }
        return value;
    }

    public IReadOnlyList<ConfigNode>? List(string key)
    {
        var node = Node(key);
        if (node is null) return null;
        if (node is ConfigList list) return list.Items;
        Error(WrongType, ConfigPath.Field(Path, key), $"must be an array, got {Describe(node)}");
        return null;
    }

    public ConfigFieldReader? Object(string key)
    {
        var node = Node(key);
        return node is null ? null : Open(node, ConfigPath.Field(Path, key), _errors);
    }

    /// <summary>Reports every key that no Node/String/... call asked for.</summary>
    public void RejectUnknown()
    {
        foreach (var key in _fields.Keys.Where(k => !_known.Contains(k)).Order(StringComparer.Ordinal))
            Error(UnknownField, ConfigPath.Field(Path, key), $"unknown field (known: {string.Join(", ", _known.Order(StringComparer.Ordinal))})");
    }

    /// <summary>The fields in document order (for free-form maps such as variables).</summary>
    public IEnumerable<KeyValuePair<string, ConfigNode>> All() => _fields;

    public static string Describe(ConfigNode node) => node switch
    {
        ConfigMap => "an object",
        ConfigList => "an array",
        ConfigScalar { IsNull: true } => "null",
        ConfigScalar { Kind: ConfigScalarKind.Number } s => $"number {s.Text}",
        ConfigScalar { Kind: ConfigScalarKind.Boolean } s => $"boolean {s.Text}",
        ConfigScalar s => $"string '{Truncate(s.Text)}'",
        _ => "unknown",
    };

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
