using System.Text.Json;
using System.Text.Json.Serialization;

namespace AtymSecure.Signer.Wire;

/// <summary>A wire document that can list every problem it has, each with its JSON path.</summary>
public interface IValidatable
{
    IReadOnlyList<string> Validate();
}

/// <summary>
/// The one JSON configuration for signer documents: nulls omitted, unknown fields tolerated (the
/// specs are protobuf JSON or open-world), duplicate keys refused (no parser differentials),
/// bytes as standard base64, a depth limit against hostile nesting.
/// </summary>
public static class SignerJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        MaxDepth = 64,
        AllowDuplicateProperties = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static JsonElement ToElement<T>(T value) => JsonSerializer.SerializeToElement(value, Options);

    /// <summary>
    /// Parses <paramref name="json"/> as <typeparamref name="T"/>, refusing more than
    /// <paramref name="maxBytes"/>, and validates it; throws <see cref="MalformedDocumentException"/> listing every problem.
    /// </summary>
    public static T Parse<T>(ReadOnlySpan<byte> json, int maxBytes, string documentKind) where T : class, IValidatable
    {
        if (json.Length > maxBytes)
            throw new MalformedDocumentException(documentKind, [$"$: document is {json.Length} bytes, limit {maxBytes}"]);
        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(json, Options);
        }
        catch (JsonException e)
        {
            throw new MalformedDocumentException(documentKind, [$"{e.Path ?? "$"}: malformed JSON: {e.Message}"]);
        }
        catch (NotSupportedException e)
        {
            throw new MalformedDocumentException(documentKind, [$"$: unsupported JSON: {e.Message}"]);
        }
        if (value is null) throw new MalformedDocumentException(documentKind, ["$: document is null"]);
        var errors = value.Validate();
        if (errors.Count > 0) throw new MalformedDocumentException(documentKind, errors);
        return value;
    }
}

/// <summary>A signer document (bundle, DSSE envelope, statement, ...) that failed to parse or validate.</summary>
public sealed class MalformedDocumentException(string documentKind, IReadOnlyList<string> errors)
    : FormatException($"malformed {documentKind}: {string.Join("; ", errors)}")
{
    public string DocumentKind { get; } = documentKind;
    public IReadOnlyList<string> Errors { get; } = errors;
}
