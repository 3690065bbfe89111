using System.Text.Json;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.ContainerImage;

/// <summary>What the manifest says, field by field; a field is null when it was missing or invalid (a problem says why).</summary>
internal sealed class ParsedManifest
{
    public List<ParsedBlob>? Blobs { get; set; }
    public ParsedCode? Code { get; set; }
    public byte[]? ConfigJson { get; set; }
    public ContainerConfig? Config { get; set; }
    public List<Capability>? Grants { get; set; }
}

internal sealed record ParsedCode(ArtifactKind? Kind, string? DeviceClass, string? TargetTriple, long? Offset, long? Length, string? Sha256);

internal sealed record ParsedBlob(string? Name, long? Offset, long? Length, string? Sha256);

/// <summary>
/// Reads the manifest JSON (docs/container-image-format.md#manifest) strictly: bounded depth, no duplicate or
/// unknown keys, every field typed. Collects every problem instead of stopping at the first.
/// </summary>
internal static class ContainerImageManifestParser
{
    private static readonly string[] TopKeys = ["blobs", "code", "config", "grants"];
    private static readonly string[] CodeKeys = ["deviceClass", "kind", "length", "offset", "sha256", "targetTriple"];
    private static readonly string[] BlobKeys = ["length", "name", "offset", "sha256"];

    /// <summary>Null when the bytes are not JSON at all (the problem is recorded).</summary>
    public static ParsedManifest? Parse(ReadOnlyMemory<byte> json, List<Problem> problems)
    {
        if (!System.Text.Unicode.Utf8.IsValid(json.Span))
        {
            problems.Add(ContainerImageFormatException.At("manifest", "not valid UTF-8"));
            return null;
        }
        if (Depth(json.Span, problems) is not { } depth) return null;
        if (depth > ContainerImageLayout.MaxManifestDepth)
        {
            problems.Add(ContainerImageFormatException.At("manifest", $"nested {depth} levels deep, limit {ContainerImageLayout.MaxManifestDepth}"));
            return null;
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions
            {
                MaxDepth = ContainerImageLayout.MaxManifestDepth,
                CommentHandling = JsonCommentHandling.Disallow,
                AllowTrailingCommas = false,
            });
        }
        catch (JsonException e)
        {
            problems.Add(ContainerImageFormatException.At("manifest", $"malformed JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine}): {e.Message}"));
            return null;
        }
        using (doc)
        {
            var root = doc.RootElement;
            var fields = Fields(root, "manifest", TopKeys, problems);
            if (fields is null) return null;
            var result = new ParsedManifest();
            if (fields.TryGetValue("blobs", out var blobs)) result.Blobs = ReadBlobs(blobs, problems);
            if (fields.TryGetValue("code", out var code)) result.Code = ReadCode(code, problems);
            if (fields.TryGetValue("config", out var config)) ReadConfig(config, result, problems);
            if (fields.TryGetValue("grants", out var grants)) result.Grants = ReadGrants(grants, problems);
            return result;
        }
    }

    /// <summary>Deepest nesting of the document, scanned without building it (bounded at <see cref="ScanDepthLimit"/>); null when it is not JSON.</summary>
    private static int? Depth(ReadOnlySpan<byte> json, List<Problem> problems)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = ScanDepthLimit, CommentHandling = JsonCommentHandling.Disallow });
            var max = 0;
            while (reader.Read())
            {
                max = Math.Max(max, reader.CurrentDepth + (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray ? 1 : 0));
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && !DecodesAsText(ref reader))
                {
                    // JsonElement.GetString would throw later: refuse here, once.
                    problems.Add(ContainerImageFormatException.At("manifest", $"the string at byte {reader.TokenStartIndex} is not valid UTF-16 text (lone surrogate escape)"));
                    return null;
                }
            }
            return max;
        }
        catch (JsonException e)
        {
            problems.Add(ContainerImageFormatException.At("manifest", $"malformed JSON or nested deeper than {ScanDepthLimit} levels (line {e.LineNumber + 1}, byte {e.BytePositionInLine}): {e.Message}"));
            return null;
        }
    }

    private const int ScanDepthLimit = 256;

    private static bool DecodesAsText(ref Utf8JsonReader reader)
    {
        try
        {
            reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The properties of an object, each once and each known; missing ones are reported.</summary>
    private static Dictionary<string, JsonElement>? Fields(JsonElement element, string path, string[] known, List<Problem> problems)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add(ContainerImageFormatException.At($"{path}", $"must be an object, is {element.ValueKind}"));
            return null;
        }
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in element.EnumerateObject())
        {
            if (!known.Contains(p.Name, StringComparer.Ordinal))
                problems.Add(ContainerImageFormatException.At(path, $"unknown key '{Clip(p.Name)}' (known: {string.Join(", ", known)})"));
            else if (!fields.TryAdd(p.Name, p.Value))
                problems.Add(ContainerImageFormatException.At($"{path}.{p.Name}", "key appears twice"));
        }
        foreach (var k in known.Where(k => !fields.ContainsKey(k))) problems.Add(ContainerImageFormatException.At($"{path}.{k}", "required"));
        return fields;
    }

    private static List<ParsedBlob>? ReadBlobs(JsonElement element, List<Problem> problems)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            problems.Add(ContainerImageFormatException.At("manifest.blobs", $"must be an array, is {element.ValueKind}"));
            return null;
        }
        var count = element.GetArrayLength();
        if (count > ContainerImageLayout.MaxBlobs)
        {
            problems.Add(ContainerImageFormatException.At("manifest.blobs", $"{count} blobs, limit {ContainerImageLayout.MaxBlobs}"));
            return null;
        }
        var result = new List<ParsedBlob>();
        var i = 0;
        foreach (var item in element.EnumerateArray())
        {
            var path = $"manifest.blobs[{i++}]";
            var f = Fields(item, path, BlobKeys, problems);
            if (f is null) { result.Add(new ParsedBlob(null, null, null, null)); continue; }
            var name = String(f, "name", path, problems, nullable: false);
            if (name is not null && Capability.CheckName(name) is { } nameError) { problems.Add(ContainerImageFormatException.At($"{path}.name", $"{nameError}")); name = null; }
            result.Add(new ParsedBlob(name, Number(f, "offset", path, problems), Number(f, "length", path, problems), Sha256(f, path, problems)));
        }
        return result;
    }

    private static ParsedCode? ReadCode(JsonElement element, List<Problem> problems)
    {
        const string path = "manifest.code";
        var f = Fields(element, path, CodeKeys, problems);
        if (f is null) return null;
        var kindText = String(f, "kind", path, problems, nullable: false);
        var kind = ContainerImageLayout.ParseKind(kindText);
        if (kindText is not null && kind is null)
        {
            problems.Add(ContainerImageFormatException.At($"{path}.kind", kindText == "wasm2c-object"
                ? "wasm2c objects are not allowed in a container image (they are linked into MCU firmware)"
                : $"'{Clip(kindText)}' is not one of wasm, wasmtime-native, wasmtime-pulley"));
        }
        var deviceClass = String(f, "deviceClass", path, problems, nullable: true);
        if (deviceClass is not null && !DeviceClassTable.TryGet(deviceClass, out _))
            problems.Add(ContainerImageFormatException.At($"{path}.deviceClass", $"'{Clip(deviceClass)}' is not a known device class (known: {string.Join(", ", DeviceClassTable.Names)})"));
        var triple = String(f, "targetTriple", path, problems, nullable: true);
        return new ParsedCode(kind, deviceClass, triple, Number(f, "offset", path, problems), Number(f, "length", path, problems), Sha256(f, path, problems));
    }

    private static void ReadConfig(JsonElement element, ParsedManifest result, List<Problem> problems)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add(ContainerImageFormatException.At("manifest.config", $"must be an object, is {element.ValueKind}"));
            return;
        }
        result.ConfigJson = System.Text.Encoding.UTF8.GetBytes(element.GetRawText());
        try
        {
            result.Config = ContainerConfigJson.Parse(result.ConfigJson);
        }
        catch (ContainerConfigException e)
        {
            problems.AddRange(e.Problems.Select(err => ContainerImageFormatException.At($"manifest.config{err.Path.TrimStart('$')}", err.Message)));
        }
    }

    private static List<Capability>? ReadGrants(JsonElement element, List<Problem> problems)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            problems.Add(ContainerImageFormatException.At("manifest.grants", $"must be an array, is {element.ValueKind}"));
            return null;
        }
        var result = new List<Capability>();
        var i = 0;
        foreach (var item in element.EnumerateArray())
        {
            var path = $"manifest.grants[{i++}]";
            if (item.ValueKind != JsonValueKind.String) { problems.Add(ContainerImageFormatException.At($"{path}", $"must be a string, is {item.ValueKind}")); continue; }
            var text = item.GetString();
            if (!Capability.TryParse(text, out var grant, out var error)) { problems.Add(ContainerImageFormatException.At($"{path}", $"'{Clip(text)}' is not a capability: {error}")); continue; }
            if (result.Contains(grant)) { problems.Add(ContainerImageFormatException.At($"{path}", $"'{grant}' is granted twice")); continue; }
            result.Add(grant);
        }
        return result;
    }

    private static string? String(Dictionary<string, JsonElement> f, string key, string path, List<Problem> problems, bool nullable)
    {
        if (!f.TryGetValue(key, out var e)) return null;
        if (nullable && e.ValueKind == JsonValueKind.Null) return null;
        if (e.ValueKind != JsonValueKind.String)
        {
            problems.Add(ContainerImageFormatException.At($"{path}.{key}", $"must be a string{(nullable ? " or null" : "")}, is {e.ValueKind}"));
            return null;
        }
        var s = e.GetString()!;
        if (s.Length == 0) { problems.Add(ContainerImageFormatException.At($"{path}.{key}", "empty")); return null; }
        if (System.Text.Encoding.UTF8.GetByteCount(s) > ContainerImageLayout.MaxTextBytes)
        {
            problems.Add(ContainerImageFormatException.At($"{path}.{key}", $"longer than {ContainerImageLayout.MaxTextBytes} bytes"));
            return null;
        }
        return s;
    }

    private static long? Number(Dictionary<string, JsonElement> f, string key, string path, List<Problem> problems)
    {
        if (!f.TryGetValue(key, out var e)) return null;
        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var n) && n >= 0 && n <= ContainerImageLayout.MaxImageBytes) return n;
        problems.Add(ContainerImageFormatException.At($"{path}.{key}", $"must be an integer in 0..{ContainerImageLayout.MaxImageBytes}, is {Clip(e.GetRawText())}"));
        return null;
    }

    private static string? Sha256(Dictionary<string, JsonElement> f, string path, List<Problem> problems)
    {
        var s = String(f, "sha256", path, problems, nullable: false);
        if (s is null) return null;
        if (s.Length == 64 && s.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f')) return s;
        problems.Add(ContainerImageFormatException.At($"{path}.sha256", $"'{Clip(s)}' is not 64 lowercase hex digits"));
        return null;
    }

    /// <summary>Echo at most 80 characters of untrusted text into a message.</summary>
    private static string Clip(string? text) => text is null ? "" : text.Length <= 80 ? text : text[..80] + "…";
}
