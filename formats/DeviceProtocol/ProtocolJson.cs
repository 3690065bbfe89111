using System.Buffers.Text;
using System.Text.RegularExpressions;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Json;

namespace AtymSecure.Formats.DeviceProtocol;

/// <summary>
/// The one reader and writer of device⇄server messages. Reading reuses the metadata's strict JSON reader (duplicate
/// keys, floats, comments, trailing content, deep nesting and invalid UTF-8 are refused) under a per-message byte cap
/// checked before parsing, then refuses every member the format version does not define: both sides of this protocol
/// are ours, so an unknown member is a bug or an attack, never something to ignore silently. Writing is canonical
/// JSON (sorted keys, no whitespace), so a message's bytes are deterministic and goldens compare byte for byte.
/// Binary values (keys, signatures, challenges, nonces) are unpadded base64url.
/// </summary>
public static partial class ProtocolJson
{
    /// <summary>Parses <paramref name="bytes"/> as one message object and hands its members to <paramref name="read"/>;
    /// every refusal is a <see cref="DeviceProtocolException"/> with the JSON path.</summary>
    public static T Read<T>(ReadOnlySpan<byte> bytes, int maxBytes, int formatVersion, string[] members, Func<JsonFields, T> read)
    {
        if (bytes.Length > maxBytes)
            throw new DeviceProtocolException(DeviceProtocolCodes.MessageTooLarge, "$", $"{bytes.Length} bytes, at most {maxBytes}");
        try
        {
            var fields = JsonFields.Of(StrictJsonReader.Parse(bytes), "$");
            var version = fields.Integer("formatVersion", 0, CanonicalJsonValue.MaxSafeInteger);
            if (version != formatVersion)
                throw new DeviceProtocolException(DeviceProtocolCodes.UnsupportedFormatVersion, "$.formatVersion", $"format {version}, this reader knows {formatVersion}");
            OnlyMembers(fields, ["formatVersion", .. members]);
            return read(fields);
        }
        catch (MetadataRefusedException e)
        {
            throw new DeviceProtocolException(DeviceProtocolCodes.MessageMalformed, e.Refusal.Path, e.Refusal.Detail, e);
        }
    }

    /// <summary>Refuses any member of <paramref name="fields"/> not named in <paramref name="allowed"/>.</summary>
    public static void OnlyMembers(JsonFields fields, IReadOnlyCollection<string> allowed)
    {
        foreach (var member in fields.Members)
            if (!allowed.Contains(member.Key))
                throw new DeviceProtocolException(DeviceProtocolCodes.UnknownMember, fields.PathOf(member.Key), "not a member of this message format");
    }

    /// <summary>A nested object that may hold only <paramref name="allowed"/>.</summary>
    public static JsonFields Nested(JsonFields parent, string name, params string[] allowed)
    {
        var nested = parent.Nested(name);
        OnlyMembers(nested, allowed);
        return nested;
    }

    /// <summary>An array element that must be an object holding only <paramref name="allowed"/>.</summary>
    public static JsonFields Element(CanonicalJsonValue value, string path, params string[] allowed)
    {
        var element = JsonFields.Of(value, path);
        OnlyMembers(element, allowed);
        return element;
    }

    /// <summary>The canonical JSON of a message with its <c>formatVersion</c>.</summary>
    public static byte[] Write(int formatVersion, params (string Name, CanonicalJsonValue? Value)[] members) =>
        CanonicalJsonWriter.EncodeDocument(CanonicalJsonObject.Of([("formatVersion", (long)formatVersion), .. members]));

    /// <summary>An optional string member: null leaves it out.</summary>
    public static CanonicalJsonValue? Optional(string? text) => text is null ? null : new CanonicalJsonString(text);

    /// <summary>Decodes base64url text this side wrote itself (stored records); throws FormatException otherwise.</summary>
    public static byte[] BytesOf(string base64Url) => System.Buffers.Text.Base64Url.DecodeFromChars(base64Url);

    public static string Base64Url(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    /// <summary>Decodes unpadded base64url of <paramref name="minBytes"/>..<paramref name="maxBytes"/> bytes, or refuses at <paramref name="path"/>.</summary>
    public static byte[] Bytes(JsonFields fields, string name, int minBytes, int maxBytes)
    {
        var text = fields.String(name, (maxBytes * 4 + 2) / 3);
        var path = fields.PathOf(name);
        if (!Base64UrlText().IsMatch(text))
            throw new DeviceProtocolException(DeviceProtocolCodes.MessageMalformed, path, "not unpadded base64url");
        byte[] bytes;
        try
        {
            bytes = System.Buffers.Text.Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            throw new DeviceProtocolException(DeviceProtocolCodes.MessageMalformed, path, "not unpadded base64url");
        }
        if (bytes.Length < minBytes || bytes.Length > maxBytes)
            throw new DeviceProtocolException(DeviceProtocolCodes.MessageMalformed, path, $"{bytes.Length} bytes, expected {minBytes}..{maxBytes}");
        // One spelling per value: re-encoding must give the same text (no stray trailing bits).
        if (Base64Url(bytes) != text) throw new DeviceProtocolException(DeviceProtocolCodes.MessageMalformed, path, "not the canonical base64url of its bytes");
        return bytes;
    }

    /// <summary>A string member matching <paramref name="grammar"/>, or a refusal that names <paramref name="expected"/>.</summary>
    public static string Text(JsonFields fields, string name, Regex grammar, string expected, int maxLength = 128)
    {
        var text = fields.String(name, maxLength);
        if (!grammar.IsMatch(text)) throw new DeviceProtocolException(DeviceProtocolCodes.MessageMalformed, fields.PathOf(name), $"'{Shorten(text)}' is not {expected}");
        return text;
    }

    /// <summary>Device ids: what <c>atym device init</c> makes (<c>atym-</c> + 16 hex) and what the director names.</summary>
    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$", RegexOptions.CultureInvariant)]
    public static partial Regex DeviceIdGrammar();

    /// <summary>Report nonces: base64url of 12..96 random bytes (what the director echoes, update-metadata.md).</summary>
    [GeneratedRegex("^[A-Za-z0-9_-]{16,128}$", RegexOptions.CultureInvariant)]
    public static partial Regex NonceGrammar();

    /// <summary>Short names: device classes, flash profiles, trust modes, results.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    public static partial Regex NameGrammar();

    /// <summary>Opaque tokens (enrolment and session): printable ASCII without spaces or quotes.</summary>
    [GeneratedRegex("^[A-Za-z0-9._~+/=-]{1,512}$", RegexOptions.CultureInvariant)]
    public static partial Regex TokenGrammar();

    [GeneratedRegex("^[A-Za-z0-9_-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Base64UrlText();

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
