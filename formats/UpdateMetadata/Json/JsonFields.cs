using AtymSecure.Primitives;
using System.Globalization;

namespace AtymSecure.Formats.UpdateMetadata.Json;

/// <summary>
/// Typed, path-reporting access to the members of one JSON object, for the metadata readers: every missing member,
/// wrong kind or out-of-range value becomes <c>metadata-malformed</c> at its JSON path (as ContainerConfigValidator
/// reports config errors). Members a reader does not ask for are ignored (TUF: unknown fields are kept for the
/// signature, which covers the whole received object, and otherwise ignored).
/// </summary>
public readonly struct JsonFields
{
    private readonly CanonicalJsonObject _object;

    private JsonFields(CanonicalJsonObject obj, string path)
    {
        _object = obj;
        Path = path;
    }

    public string Path { get; }

    public CanonicalJsonObject Object => _object;

    public IEnumerable<KeyValuePair<string, CanonicalJsonValue>> Members => _object.Members;

    public static JsonFields Of(CanonicalJsonValue value, string path) =>
        value is CanonicalJsonObject obj ? new JsonFields(obj, path) : throw Malformed(path, $"expected an object, found {value.Kind}");

    public string PathOf(string name) => StrictJsonReader.MemberPath(Path, name);

    public bool Has(string name) => _object.Members.ContainsKey(name);

    /// <summary>For the few layouts that fail closed on members they do not know (a restriction a reader only half
    /// understood must not loosen): <c>metadata-malformed</c> at the first member not in <paramref name="known"/>.</summary>
    public void RefuseUnknown(params string[] known)
    {
        foreach (var name in _object.Members.Keys)
            if (!known.Contains(name, StringComparer.Ordinal))
                throw Malformed(PathOf(name), $"unknown member (this reader knows {string.Join(", ", known)})");
    }

    public CanonicalJsonValue Value(string name) =>
        _object.Members.TryGetValue(name, out var value) ? value : throw Malformed(PathOf(name), "required");

    public string String(string name, int maxLength = 1024) => StringValue(Value(name), PathOf(name), maxLength);

    public string? OptionalString(string name, int maxLength = 1024) =>
        Has(name) ? StringValue(Value(name), PathOf(name), maxLength) : null;

    public long Integer(string name, long min, long max) => IntegerValue(Value(name), PathOf(name), min, max);

    public long? OptionalInteger(string name, long min, long max) =>
        Has(name) ? IntegerValue(Value(name), PathOf(name), min, max) : null;

    public bool Boolean(string name) =>
        Value(name) is CanonicalJsonBoolean b ? b.Value : throw Malformed(PathOf(name), "expected true or false");

    public bool? OptionalBoolean(string name) => Has(name) ? Boolean(name) : null;

    public JsonFields Nested(string name) => Of(Value(name), PathOf(name));

    public JsonFields? OptionalNested(string name) => Has(name) ? Nested(name) : null;

    public IReadOnlyList<CanonicalJsonValue> Array(string name, int maxItems)
    {
        if (Value(name) is not CanonicalJsonArray array) throw Malformed(PathOf(name), $"expected an array, found {Value(name).Kind}");
        if (array.Items.Count > maxItems) throw Malformed(PathOf(name), $"{array.Items.Count} items, at most {maxItems}");
        return array.Items;
    }

    /// <summary>An array of distinct strings, each checked by <paramref name="check"/> (null: any string).</summary>
    public EquatableList<string> StringSet(string name, int maxItems, Func<string, bool>? check = null, string? expected = null)
    {
        var items = Array(name, maxItems);
        var result = new List<string>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = $"{PathOf(name)}[{i}]";
            var text = StringValue(items[i], itemPath, 1024);
            if (check is not null && !check(text)) throw Malformed(itemPath, $"'{text}' is not {expected}");
            if (result.Contains(text, StringComparer.Ordinal)) throw Malformed(itemPath, $"'{text}' is listed twice");
            result.Add(text);
        }
        return new EquatableList<string>(result);
    }

    public static string StringValue(CanonicalJsonValue value, string path, int maxLength)
    {
        if (value is not CanonicalJsonString s) throw Malformed(path, $"expected a string, found {value.Kind}");
        if (s.Value.Length > maxLength) throw Malformed(path, $"{s.Value.Length} characters, at most {maxLength}");
        return s.Value;
    }

    public static long IntegerValue(CanonicalJsonValue value, string path, long min, long max)
    {
        if (value is not CanonicalJsonInteger n) throw Malformed(path, $"expected an integer, found {value.Kind}");
        if (n.Value < min || n.Value > max)
            throw Malformed(path, $"{n.Value.ToString(CultureInfo.InvariantCulture)} is outside {min}..{max}");
        return n.Value;
    }

    public static MetadataRefusedException Malformed(string path, string detail) =>
        new(ReasonCodes.MetadataMalformed, path, detail);
}
