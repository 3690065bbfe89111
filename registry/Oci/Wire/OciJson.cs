using System.Text.Json;
using System.Text.Json.Serialization;
using AtymSecure.Primitives;

namespace AtymSecure.Oci.Wire;

/// <summary>
/// The one JSON configuration for OCI documents: nulls omitted, unknown fields ignored on read
/// (the spec requires tolerating them), a depth limit against hostile nesting.
/// Manifests are always stored and hashed as the exact bytes received; this is only for reading
/// fields out and for writing new documents.
/// </summary>
public static class OciJson
{
    /// <summary>The spec's minimum a registry must accept, and our maximum.</summary>
    public const int MaxManifestBytes = 4 * 1024 * 1024;

    public static JsonSerializerOptions Options { get; } = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        MaxDepth = 64,
        WriteIndented = false,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    /// <summary>Parses and validates; throws <see cref="InvalidManifestException"/> listing every problem.</summary>
    public static T Deserialize<T>(ReadOnlySpan<byte> json) where T : class
    {
        if (json.Length > MaxManifestBytes)
            throw new InvalidManifestException([$"document is {json.Length} bytes, limit {MaxManifestBytes}"]);
        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(json, Options);
        }
        catch (JsonException e)
        {
            throw new InvalidManifestException([$"malformed JSON: {e.Message}"]);
        }
        if (value is null) throw new InvalidManifestException(["document is null"]);
        var errors = value switch
        {
            ImageManifest m => m.Validate(),
            ImageIndex i => i.Validate(),
            _ => [],
        };
        if (errors.Count > 0) throw new InvalidManifestException(errors);
        return value;
    }

    /// <summary>Reads the top-level <c>mediaType</c> of a manifest without full parsing.</summary>
    public static string? PeekMediaType(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isMediaType = reader.ValueTextEquals("mediaType"u8);
                reader.Read();
                if (isMediaType && reader.TokenType == JsonTokenType.String) return reader.GetString();
                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }
        catch (InvalidOperationException)
        {
            // GetString on a string token holding invalid UTF-8 (found by the manifest fuzz test).
        }
        return null;
    }
}

/// <summary>
/// A manifest or index that failed to parse or validate; <see cref="ProblemException.Problems"/> holds every problem, each
/// with the OCI error code <see cref="ErrorCodes.ManifestInvalid"/> (what a registry answers for it) and the JSON path at
/// fault (<c>$.layers[0].digest</c>, or <c>$</c> for the document as a whole).
/// </summary>
public sealed class InvalidManifestException : ProblemException
{
    private const string Heading = "invalid manifest";

    /// <param name="errors">Each as the validators word them, <c>path: message</c>.</param>
    public InvalidManifestException(IReadOnlyList<string> errors) : base(Heading, [.. errors.Select(ProblemOf)]) { }

    public InvalidManifestException(IReadOnlyList<Problem> problems) : base(Heading, problems) { }

    public InvalidManifestException() : base(Heading) { }

    public InvalidManifestException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Each problem as <c>path: message</c> (the validators' wording, and the details a registry returns).</summary>
    public IReadOnlyList<string> Errors => [.. Problems.Select(p => p.ToString())];

    private static Problem ProblemOf(string error)
    {
        var colon = error.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 && (error.StartsWith('$') || !error[..colon].Contains(' ', StringComparison.Ordinal))
            ? new Problem(ErrorCodes.ManifestInvalid, error[..colon], error[(colon + 2)..])
            : new Problem(ErrorCodes.ManifestInvalid, "$", error);
    }
}
