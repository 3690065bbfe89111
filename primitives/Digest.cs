using System.Security.Cryptography;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace AtymSecure.Primitives;

/// <summary>
/// A content digest, <c>algorithm ":" encoded</c>.
/// Spec: https://github.com/opencontainers/image-spec/blob/v1.1.1/descriptor.md#digests
/// Unknown but well-formed algorithms parse; sha256 and sha512 are also checked for length and
/// lowercase hex, and are the only ones that <see cref="IsSupported"/> (can be computed).
/// The one content-digest type of every project: OCI descriptors, bundle headers, the bootloader's slot
/// records (as 32 raw bytes: <see cref="FromSha256"/>, <see cref="WriteTo"/>). Value equality, so it can key a dictionary.
/// </summary>
[JsonConverter(typeof(DigestJsonConverter))]
public readonly partial record struct Digest
{
    public const int MaxLength = 255;

    /// <summary>Bytes of a SHA-256 hash: the binary form in bundle headers and bootloader records.</summary>
    public const int Sha256Size = 32;

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

    /// <summary>True for a sha256 digest: the only kind the 32-byte fields of bundle headers, delta patches and slot records hold.</summary>
    public bool IsSha256 => Algorithm == Sha256;

    public override string ToString() => Algorithm is null ? "" : $"{Algorithm}:{Encoded}";

    /// <summary>True when <paramref name="text"/> is a valid sha256 digest (<c>sha256:</c> and 64 lowercase hex): the one rule for digest fields of documents.</summary>
    public static bool IsSha256Text(string? text) => TryParse(text, out var digest) && digest.IsSha256;

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

    /// <summary>The sha256 digest whose hash is <paramref name="hash"/> (exactly <see cref="Sha256Size"/> bytes).</summary>
    public static Digest FromSha256(ReadOnlySpan<byte> hash)
    {
        if (hash.Length != Sha256Size)
            throw new ArgumentException($"a SHA-256 digest is {Sha256Size} bytes, got {hash.Length}", nameof(hash));
        return new Digest(Sha256, Convert.ToHexStringLower(hash));
    }

    /// <summary>
    /// <see cref="FromSha256"/> for bytes read from untrusted input: false (and the default, not-sha256 digest)
    /// instead of an exception when <paramref name="hash"/> is not <see cref="Sha256Size"/> bytes.
    /// </summary>
    public static bool TryFromSha256(ReadOnlySpan<byte> hash, out Digest digest)
    {
        digest = hash.Length == Sha256Size ? new Digest(Sha256, Convert.ToHexStringLower(hash)) : default;
        return digest.IsSha256;
    }

    /// <summary>Bytes of the hash (32 for sha256, 64 for sha512).</summary>
    public int HashSize => IsSupported ? Encoded.Length / 2 : throw Unsupported(Algorithm);

    /// <summary>Writes the raw hash bytes to the start of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (!IsSupported) throw Unsupported(Algorithm);
        if (Convert.FromHexString(Encoded, destination, out _, out var written) != System.Buffers.OperationStatus.Done || written != HashSize)
            throw new ArgumentException($"{HashSize} bytes needed for a {Algorithm} hash, {destination.Length} given", nameof(destination));
    }

    /// <summary>The raw hash bytes (the binary form of <see cref="Encoded"/>).</summary>
    public byte[] ToBytes() => IsSupported ? Convert.FromHexString(Encoded) : throw Unsupported(Algorithm);

    private static NotSupportedException Unsupported(string? algorithm) =>
        new($"digest algorithm '{algorithm}' has no binary form here");

    /// <summary>True when <paramref name="content"/> hashes to this digest.</summary>
    public bool Matches(ReadOnlySpan<byte> content) => IsSupported && Compute(content, Algorithm) == this;
}
