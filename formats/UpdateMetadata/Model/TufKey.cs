using AtymSecure.Primitives;
using System.Security.Cryptography;
using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.UpdateMetadata.Json;

namespace AtymSecure.Formats.UpdateMetadata.Model;

/// <summary>
/// A public key as TUF metadata spells it (spec §4.2): <c>{"keytype", "scheme", "keyval": {"public"}}</c>. Two kinds only
/// (docs/trust-model.md §1): Ed25519 (<c>ed25519</c>/<c>ed25519</c>, public = 64 lower-case hex of the raw key) and
/// ECDSA P-256 (<c>ecdsa</c>/<c>ecdsa-sha2-nistp256</c> as securesystemslib writes it, or the older keytype spelling
/// <c>ecdsa-sha2-nistp256</c>; public = PEM SubjectPublicKeyInfo). <see cref="KeyId"/> is the lower-case hex SHA-256 of
/// the key object's canonical JSON. Readers refuse extra members in a key object, so one key has one id.
/// </summary>
public sealed class TufKey : IEquatable<TufKey>
{
    public const string Ed25519 = "ed25519";
    public const string Ecdsa = "ecdsa";
    public const string EcdsaP256Scheme = "ecdsa-sha2-nistp256";

    private const int MaxPublicLength = 512;

    // DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING }.
    private static readonly byte[] Ed25519SpkiPrefix = Convert.FromHexString("302a300506032b6570032100");

    private TufKey(string keyType, string scheme, string publicValue, VerificationKey key)
    {
        KeyType = keyType;
        Scheme = scheme;
        PublicValue = publicValue;
        VerificationKey = key;
        KeyId = Convert.ToHexStringLower(SHA256.HashData(CanonicalJsonWriter.Encode(ToJson())));
        PublicKeyIdentity = Convert.ToHexStringLower(key.Spki);
    }

    public string KeyType { get; }

    public string Scheme { get; }

    /// <summary>The <c>keyval.public</c> text.</summary>
    public string PublicValue { get; }

    public string KeyId { get; }

    /// <summary>The key for signature checks.</summary>
    public VerificationKey VerificationKey { get; }

    /// <summary>Hex of the DER SPKI: thresholds count distinct keys by this, so one key listed under two ids counts once.</summary>
    public string PublicKeyIdentity { get; }

    /// <summary>The TUF form of a key we already hold (what <c>atym tuf</c> and the OTA server write).</summary>
    public static TufKey From(VerificationKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Algorithm switch
        {
            SignatureAlgorithm.Ed25519 => new TufKey(Ed25519, Ed25519, Convert.ToHexStringLower(key.Spki.AsSpan(Ed25519SpkiPrefix.Length)), key),
            SignatureAlgorithm.EcdsaP256Sha256 => new TufKey(Ecdsa, EcdsaP256Scheme, key.ToPem() + "\n", key),
            _ => throw new ArgumentOutOfRangeException(nameof(key), key.Algorithm, "unsupported key algorithm"),
        };
    }

    public static TufKey FromJson(JsonFields fields)
    {
        foreach (var (name, _) in fields.Members)
            if (name is not ("keytype" or "scheme" or "keyval")) throw JsonFields.Malformed(fields.PathOf(name), "unknown member of a key");
        var keyType = fields.String("keytype", 64);
        var scheme = fields.String("scheme", 64);
        var keyval = fields.Nested("keyval");
        foreach (var (name, _) in keyval.Members)
            if (name != "public") throw JsonFields.Malformed(keyval.PathOf(name), "a public key holds only 'public'");
        var publicValue = keyval.String("public", MaxPublicLength);
        var publicPath = keyval.PathOf("public");
        try
        {
            switch (keyType, scheme)
            {
                case (Ed25519, Ed25519):
                    if (publicValue.Length != 64 || !IsLowerHex(publicValue))
                        throw JsonFields.Malformed(publicPath, "an ed25519 public key is 64 lower-case hex digits");
                    return new TufKey(keyType, scheme, publicValue, VerificationKey.FromDer([.. Ed25519SpkiPrefix, .. Convert.FromHexString(publicValue)]));
                case (Ecdsa or EcdsaP256Scheme, EcdsaP256Scheme):
                    var key = VerificationKey.FromPem(publicValue);
                    if (key.Algorithm != SignatureAlgorithm.EcdsaP256Sha256) throw JsonFields.Malformed(publicPath, "not a P-256 key");
                    if (publicValue != key.ToPem() && publicValue != key.ToPem() + "\n")
                        throw JsonFields.Malformed(publicPath, "the PEM text must be exactly one PUBLIC KEY block (64-character lines)");
                    return new TufKey(keyType, scheme, publicValue, key);
                default:
                    throw JsonFields.Malformed(fields.Path, $"key type '{keyType}' with scheme '{scheme}' is not supported (ed25519/ed25519, ecdsa/ecdsa-sha2-nistp256)");
            }
        }
        catch (InvalidPublicKeyException e)
        {
            throw JsonFields.Malformed(publicPath, e.Reason);
        }
    }

    /// <summary>Reads a <c>keys</c> object and checks that every id is the key's own id.</summary>
    public static EquatableMap<TufKey> ReadKeyMap(JsonFields parent, string name, int maxKeys)
    {
        var keys = parent.Nested(name);
        var result = new Dictionary<string, TufKey>(StringComparer.Ordinal);
        foreach (var (id, value) in keys.Members)
        {
            if (result.Count == maxKeys) throw JsonFields.Malformed(keys.Path, $"more than {maxKeys} keys");
            var key = FromJson(JsonFields.Of(value, keys.PathOf(id)));
            if (id != key.KeyId) throw JsonFields.Malformed(keys.PathOf(id), $"key id is not the key's own (sha256 of its canonical form is {key.KeyId})");
            result.Add(id, key);
        }
        return new EquatableMap<TufKey>(result);
    }

    public CanonicalJsonObject ToJson() => CanonicalJsonObject.Of(
        ("keytype", KeyType),
        ("scheme", Scheme),
        ("keyval", CanonicalJsonObject.Of(("public", PublicValue))));

    public static bool IsLowerHex(string text) => text.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    public bool Equals(TufKey? other) =>
        other is not null && KeyType == other.KeyType && Scheme == other.Scheme && PublicValue == other.PublicValue;

    public override bool Equals(object? obj) => obj is TufKey other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(KeyType, Scheme, PublicValue);

    public override string ToString() => $"{KeyType} {KeyId[..12]}";
}
