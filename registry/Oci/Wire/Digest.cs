using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace AtymSecure.Oci.Wire;

/// <summary>
/// A content digest, <c>algorithm ":" encoded</c>.
/// Spec: https://github.com/opencontainers/image-spec/blob/v1.1.1/descriptor.md#digests
/// Unknown but well-formed algorithms parse; sha256 and sha512 are also checked for length and
/// lowercase hex, and are the only ones that <see cref="IsSupported"/> (can be computed).
/// </summary>
[JsonConverter(typeof(DigestJsonConverter))]
public readonly partial record struct Digest
{
    public const int MaxLength = 255;

    public string Algorithm { get; }
    public string Encoded { get; }

    private Digest(string algorithm, string encoded)
    {
        Algorithm = algorithm;
        Encoded = encoded;
    }

    public static readonly string Sha256 = "sha256";
    public static readonly string Sha512 = "sha512";

    public bool IsSupported => Algorithm == Sha256 || Algorithm == Sha512;

    public override string ToString() => Algorithm is null ? "" : $"{Algorithm}:{Encoded}";

    [GeneratedRegex("^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();

    [GeneratedRegex("^[a-f0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex LowerHex();

    /// <summary>Parses and validates; throws <see cref="InvalidDigestException"/> with the reason.</summary>
    public static Digest Parse(string? text)
    {
        if (!TryParse(text, out var digest, out var error))
        {
            throw new InvalidDigestException(text, error!);
        }
        return digest;
    }

    public static bool TryParse(string? text, out Digest digest) => TryParse(text, out digest, out _);

    public static bool TryParse(string? text, out Digest digest, out string? error)
    {
        digest = default;
        if (string.IsNullOrEmpty(text)) { error = "digest is empty"; return false; }
        if (text.Length > MaxLength) { error = $"digest longer than {MaxLength} characters"; return false; }
        if (!Grammar().IsMatch(text)) { error = "digest does not match algorithm:encoded grammar"; return false; }
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var algorithm = text[..colon];
        var encoded = text[(colon + 1)..];
        int? expected = algorithm switch { "sha256" => 64, "sha512" => 128, _ => null };
        if (expected is { } len && (encoded.Length != len || !LowerHex().IsMatch(encoded)))
        {
            error = $"{algorithm} digest must be {len} lowercase hex characters";
            return false;
        }
        digest = new Digest(algorithm, encoded);
        error = null;
        return true;
    }

    public static Digest Compute(ReadOnlySpan<byte> content, string algorithm = "sha256") => algorithm switch
    {
        "sha256" => new Digest(algorithm, Convert.ToHexStringLower(SHA256.HashData(content))),
        "sha512" => new Digest(algorithm, Convert.ToHexStringLower(SHA512.HashData(content))),
        _ => throw new NotSupportedException($"digest algorithm '{algorithm}' is not supported"),
    };

    public static async Task<Digest> ComputeAsync(Stream content, string algorithm = "sha256", CancellationToken ct = default)
    {
        using var hasher = CreateHasher(algorithm);
        var buffer = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            hasher.AppendData(buffer, 0, read);
        }
        return FromHash(algorithm, hasher.GetHashAndReset());
    }

    /// <summary>An incremental hasher for this digest's algorithm (for verify-while-streaming).</summary>
    public IncrementalHash CreateHasher() => CreateHasher(Algorithm);

    public static IncrementalHash CreateHasher(string algorithm) => algorithm switch
    {
        "sha256" => IncrementalHash.CreateHash(HashAlgorithmName.SHA256),
        "sha512" => IncrementalHash.CreateHash(HashAlgorithmName.SHA512),
        _ => throw new NotSupportedException($"digest algorithm '{algorithm}' is not supported"),
    };

    public static Digest FromHash(string algorithm, ReadOnlySpan<byte> hash) =>
        Parse($"{algorithm}:{Convert.ToHexStringLower(hash)}");

    /// <summary>True when <paramref name="content"/> hashes to this digest.</summary>
    public bool Matches(ReadOnlySpan<byte> content) => IsSupported && Compute(content, Algorithm) == this;
}

public sealed class InvalidDigestException(string? digest, string reason)
    : FormatException($"invalid digest '{digest}': {reason}")
{
    public string? Digest { get; } = digest;
    public string Reason { get; } = reason;
}

internal sealed class DigestJsonConverter : JsonConverter<Digest>
{
    public override Digest Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        if (!Digest.TryParse(text, out var digest, out var error))
        {
            throw new JsonException($"invalid digest '{text}': {error}");
        }
        return digest;
    }

    public override void Write(Utf8JsonWriter writer, Digest value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
