using System.Text.Json;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Registry.Storage;

/// <summary>
/// What the registry reads out of a pushed manifest or index: its references (for blob checks and
/// garbage collection) and its referrer facts. Parsing is deliberately lenient about optional
/// fields (registries must store unknown fields untouched) and strict about structure, so a
/// malformed document is refused with every problem and its JSON path.
/// Spec: https://github.com/opencontainers/image-spec/blob/v1.1.1/manifest.md and image-index.md
/// </summary>
public sealed record ManifestFacts
{
    public required string MediaType { get; init; }
    public bool IsIndex { get; init; }
    public Digest? Subject { get; init; }
    public string? ArtifactType { get; init; }
    public Dictionary<string, string>? Annotations { get; init; }
    /// <summary>Config and layers (image manifests), each with whether it points to an external URL.</summary>
    public IReadOnlyList<(Digest Digest, bool External)> Blobs { get; init; } = [];
    /// <summary>Manifests listed by an index.</summary>
    public IReadOnlyList<Digest> Children { get; init; } = [];

    /// <summary>Parses <paramref name="json"/> pushed with <paramref name="contentType"/> (may be null).</summary>
    public static ManifestFacts Parse(ReadOnlySpan<byte> json, string? contentType)
    {
        var errors = new List<string>();
        if (!System.Text.Unicode.Utf8.IsValid(json)) throw new InvalidManifestException(["$: not valid UTF-8"]);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new InvalidManifestException([$"malformed JSON: {e.Message}"]);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidManifestException(["$: must be a JSON object"]);
            var declared = OptionalString(root, "mediaType", "$", errors);
            var mediaType = contentType ?? declared;
            if (mediaType is null)
                throw new InvalidManifestException(["$.mediaType: missing, and no Content-Type header names the manifest type"]);
            if (declared is not null && contentType is not null && declared != contentType)
                errors.Add($"$.mediaType: '{declared}' differs from the Content-Type '{contentType}'");
            if (!MediaTypes.IsManifest(mediaType))
                throw new InvalidManifestException([$"media type '{mediaType}' is not a supported manifest type ({string.Join(", ", MediaTypes.Manifests)})"]);
            if (!root.TryGetProperty("schemaVersion", out var version) || version.ValueKind != JsonValueKind.Number
                || !version.TryGetInt32(out var v) || v != 2)
                errors.Add("$.schemaVersion: must be 2");

            var isIndex = MediaTypes.IsIndex(mediaType);
            var artifactType = OptionalString(root, "artifactType", "$", errors);
            var annotations = ReadAnnotations(root, "$", errors);
            Digest? subject = null;
            if (root.TryGetProperty("subject", out var subjectElement) && subjectElement.ValueKind != JsonValueKind.Null)
                subject = ReadDescriptor(subjectElement, "$.subject", errors)?.Digest;

            var blobs = new List<(Digest, bool)>();
            var children = new List<Digest>();
            string? configMediaType = null;
            if (isIndex)
            {
                foreach (var (d, _) in ReadDescriptorArray(root, "manifests", required: true, errors)) children.Add(d.Digest);
            }
            else
            {
                if (!root.TryGetProperty("config", out var config)) errors.Add("$.config: required");
                else if (ReadDescriptor(config, "$.config", errors) is { } c)
                {
                    blobs.Add((c.Digest, c.External));
                    configMediaType = c.MediaType;
                }
                foreach (var (d, _) in ReadDescriptorArray(root, "layers", required: false, errors)) blobs.Add((d.Digest, d.External));
            }
            if (errors.Count > 0) throw new InvalidManifestException(errors);
            return new ManifestFacts
            {
                MediaType = mediaType,
                IsIndex = isIndex,
                Subject = subject,
                ArtifactType = artifactType ?? configMediaType,
                Annotations = annotations,
                Blobs = blobs,
                Children = children,
            };
        }
    }

    private sealed record ParsedDescriptor(string MediaType, Digest Digest, long Size, bool External);

    private static List<(ParsedDescriptor, int)> ReadDescriptorArray(JsonElement root, string name, bool required, List<string> errors)
    {
        var result = new List<(ParsedDescriptor, int)>();
        if (!root.TryGetProperty(name, out var array) || array.ValueKind == JsonValueKind.Null)
        {
            if (required) errors.Add($"$.{name}: required");
            return result;
        }
        if (array.ValueKind != JsonValueKind.Array)
        {
            errors.Add($"$.{name}: must be an array");
            return result;
        }
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (ReadDescriptor(item, $"$.{name}[{i}]", errors) is { } d) result.Add((d, i));
            i++;
        }
        return result;
    }

    private static ParsedDescriptor? ReadDescriptor(JsonElement element, string path, List<string> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}: must be a descriptor object");
            return null;
        }
        var before = errors.Count;
        var mediaType = OptionalString(element, "mediaType", path, errors);
        if (mediaType is null) errors.Add($"{path}.mediaType: required");
        else if (!MediaTypeGrammar.IsValid(mediaType)) errors.Add($"{path}.mediaType: '{mediaType}' is not an RFC 6838 media type");
        var digestText = OptionalString(element, "digest", path, errors);
        Digest digest = default;
        if (digestText is null) errors.Add($"{path}.digest: required");
        else if (!Digest.TryParse(digestText, out digest, out var reason)) errors.Add($"{path}.digest: {reason}");
        long size = 0;
        if (!element.TryGetProperty("size", out var sizeElement) || sizeElement.ValueKind != JsonValueKind.Number
            || !sizeElement.TryGetInt64(out size) || size < 0)
            errors.Add($"{path}.size: required non-negative integer");
        OptionalString(element, "artifactType", path, errors);
        ReadAnnotations(element, path, errors);
        var external = element.TryGetProperty("urls", out var urls) && urls.ValueKind == JsonValueKind.Array && urls.GetArrayLength() > 0;
        return errors.Count == before ? new ParsedDescriptor(mediaType!, digest, size, external) : null;
    }

    private static string? OptionalString(JsonElement element, string name, string path, List<string> errors)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        errors.Add($"{path}.{name}: must be a string");
        return null;
    }

    private static Dictionary<string, string>? ReadAnnotations(JsonElement element, string path, List<string> errors)
    {
        if (!element.TryGetProperty("annotations", out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}.annotations: must be an object of strings");
            return null;
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
                errors.Add($"{path}.annotations.{property.Name}: must be a string");
            else result[property.Name] = property.Value.GetString()!;
        }
        return result;
    }
}
