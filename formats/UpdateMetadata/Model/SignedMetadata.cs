using AtymSecure.Primitives;
using AtymSecure.Formats.UpdateMetadata.Json;

namespace AtymSecure.Formats.UpdateMetadata.Model;

/// <summary>One entry of an envelope's <c>signatures</c>: the signing key's id and the signature, lower-case hex.</summary>
public sealed record MetadataSignature(string KeyId, string Sig)
{
    /// <summary>A DER ECDSA P-256 signature is at most 72 bytes, Ed25519 64: 256 hex digits leaves room and bounds work.</summary>
    public const int MaxSigHexLength = 256;

    public CanonicalJsonObject ToJson() => CanonicalJsonObject.Of(("keyid", KeyId), ("sig", Sig));

    public static MetadataSignature FromJson(JsonFields fields)
    {
        var keyId = fields.String("keyid", 64);
        if (!MetadataNames.IsKeyId(keyId)) throw JsonFields.Malformed(fields.PathOf("keyid"), "not a key id (64 lower-case hex digits)");
        var sig = fields.String("sig", MaxSigHexLength);
        if (sig.Length % 2 != 0 || !TufKey.IsLowerHex(sig)) throw JsonFields.Malformed(fields.PathOf("sig"), "not lower-case hex bytes");
        return new MetadataSignature(keyId, sig);
    }
}

/// <summary>
/// A metadata file (TUF §4.2): <c>{"signatures": [...], "signed": {...}}</c>. <see cref="SignedBytes"/> is the canonical
/// JSON of the <c>signed</c> object exactly as received, unknown members included — what signatures cover. This type
/// only parses; whether the signatures count is <see cref="Signing.ThresholdCheck"/>'s question. Equality compares the
/// signed object and the signatures.
/// </summary>
public sealed class SignedMetadata<T> : IEquatable<SignedMetadata<T>>
    where T : RoleMetadata, IRoleMetadata<T>
{
    private readonly byte[] _signedBytes;
    private readonly byte[] _file;

    private SignedMetadata(T signed, CanonicalJsonObject signedJson, EquatableList<MetadataSignature> signatures, byte[]? file)
    {
        Signed = signed;
        SignedJson = signedJson;
        Signatures = signatures;
        _signedBytes = CanonicalJsonWriter.Encode(signedJson);
        _file = file ?? CanonicalJsonWriter.EncodeDocument(CanonicalJsonObject.Of(
            ("signatures", new CanonicalJsonArray(signatures.Select(s => (CanonicalJsonValue)s.ToJson()))),
            ("signed", signedJson)));
    }

    public T Signed { get; }

    public CanonicalJsonObject SignedJson { get; }

    public EquatableList<MetadataSignature> Signatures { get; }

    public ReadOnlySpan<byte> SignedBytes => _signedBytes;

    /// <summary>Reads a metadata file of role type <typeparamref name="T"/>; throws <see cref="MetadataRefusedException"/> (metadata-malformed).</summary>
    public static SignedMetadata<T> Parse(ReadOnlySpan<byte> file)
    {
        var envelope = JsonFields.Of(StrictJsonReader.Parse(file), "$");
        var items = envelope.Array("signatures", MetadataNames.MaxSignatures);
        var signatures = new List<MetadataSignature>(items.Count);
        for (var i = 0; i < items.Count; i++)
            signatures.Add(MetadataSignature.FromJson(JsonFields.Of(items[i], $"$.signatures[{i}]")));
        var signed = envelope.Nested("signed");
        return new SignedMetadata<T>(T.FromJson(signed), signed.Object, new EquatableList<MetadataSignature>(signatures), file.ToArray());
    }

    /// <summary>An envelope around <paramref name="signed"/> with the given signatures (the signing side builds these).</summary>
    public static SignedMetadata<T> Create(T signed, IEnumerable<MetadataSignature> signatures) =>
        new(signed, signed.ToJson(), new EquatableList<MetadataSignature>(signatures), null);

    /// <summary>
    /// The file: the bytes it was read from, or for a created envelope canonical JSON with control characters
    /// escaped (<see cref="CanonicalJsonWriter.EncodeDocument"/>). Listings hash these bytes, and a device stores them as they came.
    /// </summary>
    public ReadOnlySpan<byte> FileBytes => _file;

    /// <summary>A copy of <see cref="FileBytes"/>.</summary>
    public byte[] ToBytes() => (byte[])_file.Clone();

    public bool Equals(SignedMetadata<T>? other) =>
        other is not null && SignedJson.Equals(other.SignedJson) && Signatures.Equals(other.Signatures);

    public override bool Equals(object? obj) => obj is SignedMetadata<T> other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(SignedJson, Signatures);

    public override string ToString() => $"{Signed.Type} v{Signed.Version} ({Signatures.Count} signatures)";
}
