using AtymSecure.Primitives;
using System.Text.Json;

namespace AtymSecure.Formats.UpdateMetadata.Json;

/// <summary>
/// Reads untrusted metadata bytes into a <see cref="CanonicalJsonValue"/>, refusing everything canonical JSON cannot
/// hold or that two readers could read differently: duplicate object keys (TUF signs the re-encoded value, so a
/// duplicate would let the signed and the acted-on value differ), numbers with a fraction or exponent, integers
/// beyond ±(2^53 − 1), <c>-0</c>, invalid UTF-8, lone surrogates, comments, trailing commas, trailing content, and
/// nesting deeper than <see cref="MaxDepth"/>. Whitespace between tokens is allowed (any JSON writer's output reads),
/// since signatures cover the re-encoded canonical form, not the file bytes. The byte size is capped by the caller
/// (per role, before reading). Every refusal is a <see cref="MetadataRefusedException"/> with code
/// <c>metadata-malformed</c> and the JSON path.
/// </summary>
public static class StrictJsonReader
{
    /// <summary>Our deepest document (envelope → signed → targets → target → custom → image) nests 6 levels.</summary>
    public const int MaxDepth = 16;

    public static CanonicalJsonValue Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions
        {
            MaxDepth = MaxDepth,
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
        });
        try
        {
            if (!reader.Read()) throw Malformed("$", "empty document");
            var value = ReadValue(ref reader, "$");
            if (reader.Read()) throw Malformed("$", "content after the top-level value");
            return value;
        }
        catch (JsonException e)
        {
            throw Malformed("$", $"not JSON: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // Utf8JsonReader reports invalid UTF-8 when a string is decoded; a lone surrogate escape fails CanonicalJsonString.
            throw Malformed("$", $"not JSON text: {e.Message}");
        }
    }

    private static CanonicalJsonValue ReadValue(ref Utf8JsonReader reader, string path)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                return ReadObject(ref reader, path);
            case JsonTokenType.StartArray:
                var items = new List<CanonicalJsonValue>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    items.Add(ReadValue(ref reader, $"{path}[{items.Count}]"));
                return new CanonicalJsonArray(items);
            case JsonTokenType.String:
                return new CanonicalJsonString(reader.GetString()!);
            case JsonTokenType.Number:
                return ReadInteger(ref reader, path);
            case JsonTokenType.True:
                return new CanonicalJsonBoolean(true);
            case JsonTokenType.False:
                return new CanonicalJsonBoolean(false);
            case JsonTokenType.Null:
                return CanonicalJsonNull.Instance;
            default:
                throw Malformed(path, $"unexpected {reader.TokenType}");
        }
    }

    private static CanonicalJsonObject ReadObject(ref Utf8JsonReader reader, string path)
    {
        var members = new Dictionary<string, CanonicalJsonValue>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            var memberPath = MemberPath(path, name);
            if (members.ContainsKey(name)) throw Malformed(memberPath, "duplicate key");
            reader.Read();
            members.Add(name, ReadValue(ref reader, memberPath));
        }
        return new CanonicalJsonObject(new EquatableMap<CanonicalJsonValue>(members));
    }

    private static CanonicalJsonInteger ReadInteger(ref Utf8JsonReader reader, string path)
    {
        var raw = reader.ValueSpan;
        if (raw.IndexOfAny("."u8) >= 0 || raw.IndexOfAny("eE"u8) >= 0)
            throw Malformed(path, "floating-point numbers are not canonical JSON");
        if (raw.SequenceEqual("-0"u8)) throw Malformed(path, "-0 is not canonical JSON");
        if (!reader.TryGetInt64(out var value) || value is > CanonicalJsonValue.MaxSafeInteger or < -CanonicalJsonValue.MaxSafeInteger)
            throw Malformed(path, $"integer outside ±{CanonicalJsonValue.MaxSafeInteger}");
        return new CanonicalJsonInteger(value);
    }

    /// <summary><c>$.signed.version</c> for plain names, <c>$.signed.targets["images/x.img"]</c> for the rest.</summary>
    public static string MemberPath(string parent, string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? $"{parent}.{name}"
            : $"{parent}[{System.Text.Json.JsonSerializer.Serialize(name)}]";

    private static MetadataRefusedException Malformed(string path, string detail) =>
        new(ReasonCodes.MetadataMalformed, path, detail);
}
