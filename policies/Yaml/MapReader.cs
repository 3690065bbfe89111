using AtymSecure.Primitives;
using YamlDotNet.RepresentationModel;
using static AtymSecure.Policies.PolicyProblemCodes;

namespace AtymSecure.Policies.Yaml;

/// <summary>
/// Typed reads of one YAML mapping that collect problems instead of throwing: every field asked for is a known
/// field, and <see cref="RejectUnknown"/> reports every other key as <c>unknown-field</c> (with the known ones as
/// the hint). Call it after the last field read.
/// </summary>
public sealed class MapReader
{
    private readonly YamlMappingNode _node;
    private readonly PolicyFileContext _context;
    private readonly List<string> _known = [];

    internal MapReader(YamlMappingNode node, string path, PolicyFileContext context)
    {
        _node = node;
        Path = path;
        _context = context;
    }

    public string Path { get; }

    public PolicyFileContext Context => _context;

    public SourcePosition Position => _context.At(_node);

    public YamlMappingNode Node => _node;

    public string FieldPath(string key) => PolicyPath.Field(Path, key);

    /// <summary>The value node of <paramref name="key"/>; a missing required field is a <c>required</c> problem.</summary>
    public YamlNode? Field(string key, bool required = false)
    {
        if (!_known.Contains(key)) _known.Add(key);
        foreach (var (k, v) in _node.Children)
            if (k is YamlScalarNode s && s.Value == key)
                return v;
        if (required) _context.Add(Required, FieldPath(key), $"'{key}' is required", _node);
        return null;
    }

    public string? String(string key, bool required = false, int maxLength = PolicyLimits.MaxStringLength) =>
        Field(key, required) is { } v ? _context.StringOf(v, FieldPath(key), maxLength) : null;

    public long? Integer(string key, long min, long max, bool required = false) =>
        Field(key, required) is { } v ? _context.IntegerOf(v, FieldPath(key), min, max) : null;

    public bool? Boolean(string key, bool required = false) =>
        Field(key, required) is { } v ? _context.BooleanOf(v, FieldPath(key)) : null;

    public MapReader? Map(string key, bool required = false) =>
        Field(key, required) is { } v ? _context.MapOf(v, FieldPath(key)) : null;

    public IReadOnlyList<(YamlNode Node, string Path)> List(string key, bool required = false, int maxItems = PolicyLimits.MaxListItems, int minItems = 0)
    {
        if (Field(key, required) is not { } v) return [];
        var items = _context.ListOf(v, FieldPath(key), maxItems);
        if (v is YamlSequenceNode s && s.Children.Count < minItems)
            _context.Add(TooMany, FieldPath(key), $"needs at least {minItems} item{(minItems == 1 ? "" : "s")}", v);
        return items;
    }

    /// <summary>A list of strings, each checked by <paramref name="check"/> (null when fine, else the message for <c>invalid-value</c>); duplicates are refused.</summary>
    public IReadOnlyList<(string Value, SourcePosition At)> Strings(string key, bool required = false, int minItems = 0, Func<string, string?>? check = null, int maxItems = PolicyLimits.MaxListItems)
    {
        var result = new List<(string, SourcePosition)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (node, path) in List(key, required, maxItems, minItems))
        {
            if (_context.StringOf(node, path) is not { } value) continue;
            if (check?.Invoke(value) is { } error) _context.Add(InvalidValue, path, error, node);
            else if (!seen.Add(value)) _context.Add(Duplicate, path, $"'{PolicyFileContext.Shorten(value)}' is listed twice", node);
            else result.Add((value, _context.At(node)));
        }
        return result;
    }

    public void RejectUnknown()
    {
        foreach (var (k, _) in _node.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (!_known.Contains(name))
                _context.Add(UnknownField, FieldPath(name), $"unknown field '{PolicyFileContext.Shorten(name)}' (known here: {string.Join(", ", _known)})", k);
        }
    }
}
