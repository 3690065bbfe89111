using System.Text.Json;
using System.Text.RegularExpressions;
using AtymSecure.Formats.Bundle;
using AtymSecure.Primitives;

namespace AtymSecure.DeviceAgent.Provisioning;

/// <summary>One trusted key in trust.json: its role, its PEM file in trusted/ and its container-name pattern.</summary>
public sealed record DeviceTrustEntry(string Role, string KeyFile, string Pattern);

/// <summary>
/// trusted/trust.json, format 1: the scope of every trusted bundle key of a development device, or the recovery keys of a
/// production one (mode <c>production</c>; docs/device-cli.md, docs/trust-model.md §2), next to the keys' PEM files in
/// the same folder, and MAC'd in trust.json.mac (<see cref="DeviceTrust"/>, §4):
/// <code>
/// { "format": 1, "mode": "development",
///   "keys": [ { "role": "vendor", "key": "&lt;key id&gt;.pub", "pattern": "acme-*" }, … ] }
/// </code>
/// Every key's pattern is written out (compiler and recovery default to <c>*</c> at init). Written once by
/// <c>device init</c>; read at every power-on, and refused whole (every problem listed) when any entry is wrong, since a
/// device that guessed at its trust would be trusting something. Golden-tested: format 1 reads forever.
/// </summary>
public sealed partial record DeviceTrustFile(string Mode, EquatableList<DeviceTrustEntry> Keys)
{
    public const int FormatVersion = 1;

    /// <summary>Bundle keys given at init (no roots).</summary>
    public const string Development = "development";

    /// <summary>A device provisioned with roots: recovery keys only (its bundle keys come from verified metadata, docs/trust-model.md §2).</summary>
    public const string Production = "production";

    public const int MaxFileBytes = 64 * 1024;

    /// <summary>Every problem (empty = valid), each with a <see cref="DeviceIdentityProblemCodes"/> or <see cref="TrustAnchorProblemCodes"/> code.</summary>
    public IReadOnlyList<Problem> Validate()
    {
        var p = new List<Problem>();
        if (Mode is not (Development or Production))
            p.Add(new(DeviceIdentityProblemCodes.UnknownTrustMode, "mode", $"'{Mode}' is not a trust mode this device knows ({Development}, {Production})"));
        if (Keys.Count is 0 or > BundleTrustAnchors.MaxKeys)
            p.Add(new(TrustAnchorProblemCodes.TooManyKeys, "keys", $"needs 1..{BundleTrustAnchors.MaxKeys} keys, has {Keys.Count}"));
        var hasBundleKey = false;
        for (var i = 0; i < Keys.Count; i++)
        {
            var k = Keys[i];
            var path = $"keys[{i}]";
            if (!BundleKeyRoles.TryParse(k.Role, out var role))
                p.Add(new(TrustAnchorProblemCodes.InvalidRole, $"{path}.role", $"'{k.Role}' is not vendor, compiler or recovery"));
            hasBundleKey |= role is BundleKeyRole.Vendor or BundleKeyRole.Compiler;
            if (Mode == Production && role is BundleKeyRole.Vendor or BundleKeyRole.Compiler)
                p.Add(new(TrustAnchorProblemCodes.InvalidRole, $"{path}.role", "a production device holds recovery keys only; its vendor and compiler keys come from verified metadata"));
            if (k.KeyFile is null || !KeyFileName().IsMatch(k.KeyFile))
                p.Add(new(DeviceIdentityProblemCodes.InvalidKeyFile, $"{path}.key", "must be a file name in trusted/ of the form <key id>.pub (letters, digits, '-', '_')"));
            if (!ContainerNamePattern.TryParse(k.Pattern, $"{path}.pattern", out _, out var bad)) p.Add(bad);
        }
        foreach (var dup in Keys.GroupBy(k => k.KeyFile, StringComparer.Ordinal).Where(g => g.Count() > 1))
            p.Add(new(TrustAnchorProblemCodes.DuplicateKey, "keys", $"'{dup.Key}' listed {dup.Count()} times; one key has one role and one pattern"));
        if (Mode == Development && Keys.Count > 0 && !hasBundleKey)
            p.Add(new(TrustAnchorProblemCodes.NoBundleKey, "keys", "a development device needs at least one vendor or compiler key"));
        return p;
    }

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("format", FormatVersion);
            w.WriteString("mode", Mode);
            w.WriteStartArray("keys");
            foreach (var k in Keys)
            {
                w.WriteStartObject();
                w.WriteString("role", k.Role);
                w.WriteString("key", k.KeyFile);
                w.WriteString("pattern", k.Pattern);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <exception cref="DeviceDataException">Oversized, not JSON, another format, an unknown or duplicate field, or invalid
    /// content (the inner exception is then the <see cref="ProblemException"/> with each problem's code and path).</exception>
    public static DeviceTrustFile Parse(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxFileBytes) throw new DeviceDataException($"trust.json is {json.Length} bytes, above {MaxFileBytes}");
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 8, AllowDuplicateProperties = false });
            var root = doc.RootElement;
            Fields(root, "trust.json", "format", "mode", "keys");
            if (!root.TryGetProperty("format", out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var format) || format != FormatVersion)
                throw new DeviceDataException($"trust.json: format must be {FormatVersion}");
            var keys = new List<DeviceTrustEntry>();
            if (!root.TryGetProperty("keys", out var list) || list.ValueKind != JsonValueKind.Array) throw new DeviceDataException("trust.json: keys must be an array");
            if (list.GetArrayLength() > BundleTrustAnchors.MaxKeys) throw new DeviceDataException($"trust.json: more than {BundleTrustAnchors.MaxKeys} keys");
            var i = 0;
            foreach (var k in list.EnumerateArray())
            {
                Fields(k, $"trust.json keys[{i++}]", "role", "key", "pattern");
                keys.Add(new DeviceTrustEntry(Text(k, "role"), Text(k, "key"), Text(k, "pattern")));
            }
            var file = new DeviceTrustFile(Text(root, "mode"), [.. keys]);
            var problems = file.Validate();
            if (problems.Count == 0) return file;
            var invalid = new ProblemException("trust.json is invalid", problems);
            throw new DeviceDataException(invalid.Message, invalid);
        }
        catch (JsonException e)
        {
            throw new DeviceDataException($"trust.json is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // A string that is not valid UTF-8, or a value of the wrong JSON type.
            throw new DeviceDataException($"trust.json has an unreadable value: {e.Message}", e);
        }
    }

    /// <summary>An object with no field outside <paramref name="allowed"/>: a field this format does not define is not silently ignored.</summary>
    private static void Fields(JsonElement e, string where, params string[] allowed)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new DeviceDataException($"{where} must be an object");
        foreach (var property in e.EnumerateObject())
            if (!allowed.Contains(property.Name, StringComparer.Ordinal))
                throw new DeviceDataException($"{where} has an unknown field '{(property.Name.Length <= 40 ? property.Name : property.Name[..37] + "...")}'");
    }

    private static string Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}\\.pub$")]
    private static partial Regex KeyFileName();
}
