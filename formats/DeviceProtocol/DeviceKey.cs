using System.Security.Cryptography;
using AtymSecure.Formats.Crypto;

namespace AtymSecure.Formats.DeviceProtocol;

/// <summary>
/// A device identity key as the protocol carries it (DER SubjectPublicKeyInfo, ECDSA P-256 only: docs/trust-model.md §8
/// verifies P-256) and the device id it names: <c>atym-</c> + the first 16 hex digits of SHA-256(SPKI), what
/// <c>atym device init</c> derives. Only <see cref="Parse"/> creates one, so holding a DeviceKey means the bytes are a
/// valid point on the curve.
/// </summary>
public sealed class DeviceKey : IEquatable<DeviceKey>
{
    /// <summary>A P-256 SPKI is 91 bytes; the cap leaves room for a different but still bounded encoding.</summary>
    public const int MaxSpkiBytes = 256;

    private readonly byte[] _spki;

    private DeviceKey(VerificationKey key, byte[] spki)
    {
        Key = key;
        _spki = spki;
    }

    public VerificationKey Key { get; }

    public ReadOnlySpan<byte> Spki => _spki;

    /// <summary>The id a device with this key gets at enrolment (it keeps it across key rotations).</summary>
    public string DerivedDeviceId => DeviceIdOf(_spki);

    /// <summary>Lower-case hex SHA-256 of the SPKI: how the server names a key in records and the audit log.</summary>
    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(_spki));

    /// <exception cref="InvalidPublicKeyException">Not a P-256 SubjectPublicKeyInfo.</exception>
    public static DeviceKey Parse(ReadOnlySpan<byte> spki)
    {
        if (spki.Length > MaxSpkiBytes) throw new InvalidPublicKeyException($"{spki.Length} bytes, at most {MaxSpkiBytes}");
        var key = VerificationKey.FromDer(spki);
        if (key.Algorithm != SignatureAlgorithm.EcdsaP256Sha256)
            throw new InvalidPublicKeyException($"device identity keys are ECDSA P-256, this is {key.Algorithm.ShortName()}");
        return new DeviceKey(key, spki.ToArray());
    }

    public static string DeviceIdOf(ReadOnlySpan<byte> spki) => "atym-" + Convert.ToHexStringLower(SHA256.HashData(spki))[..16];

    /// <summary>Whether <paramref name="id"/> has the form <see cref="DeviceIdOf"/> gives (<c>atym-</c> and 16 lowercase hex
    /// digits): the id of an atym agent, as opposed to another client's name such as a hawkBit controller id.</summary>
    public static bool IsAgentDeviceId(string? id) =>
        id is { Length: 21 } && id.StartsWith("atym-", StringComparison.Ordinal) && !id.AsSpan(5).ContainsAnyExcept("0123456789abcdef");

    /// <summary>DER ECDSA signature over <paramref name="data"/>; false for any malformed signature.</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) => Key.Verify(data, signature);

    public bool Equals(DeviceKey? other) => other is not null && _spki.AsSpan().SequenceEqual(other._spki);

    public override bool Equals(object? obj) => Equals(obj as DeviceKey);

    public override int GetHashCode() => HashCode.Combine(_spki.Length, _spki[^1], _spki[^2]);

    public override string ToString() => $"P-256 key {Fingerprint[..16]}";
}
