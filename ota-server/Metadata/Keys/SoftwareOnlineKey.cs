using System.Security.Cryptography;
using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.UpdateMetadata.Model;

namespace AtymSecure.OtaMetadata.Keys;

/// <summary>
/// An online ECDSA P-256 key held in process memory (from a 0600 key file of <see cref="FileOnlineKeyStore"/>). It signs
/// with RFC 6979 deterministic nonces (<see cref="DeterministicEcdsa"/>), so replicas holding the same key files cut
/// byte-identical bundles and metadata (issue 12 §4).
/// </summary>
public sealed class SoftwareOnlineKey : IOnlineKey, IDisposable
{
    private readonly ECDsa _key;
    private readonly DeterministicEcdsa _signer;
    private readonly byte[] _spki;

    internal SoftwareOnlineKey(OnlineRole role, int generation, ECDsa key)
    {
        if (key.KeySize != 256) throw new ArgumentException("online keys are P-256", nameof(key));
        Role = role;
        Generation = generation;
        _key = key;
        _signer = DeterministicEcdsa.From(key);
        _spki = key.ExportSubjectPublicKeyInfo();
        PublicKey = TufKey.From(VerificationKey.FromDer(_spki));
        KeyId = Formats.Crypto.KeyId.Compute(_spki);
    }

    public OnlineRole Role { get; }

    public int Generation { get; }

    public TufKey PublicKey { get; }

    /// <summary>The bundle and Sigstore hint: base64 SHA-256 of the SPKI.</summary>
    public string KeyId { get; }

    public SignatureAlgorithm Algorithm => SignatureAlgorithm.EcdsaP256Sha256;

    public ReadOnlyMemory<byte> PublicKeySpki => _spki;

    public string PublicKeyPem() => PemEncoding.WriteString("PUBLIC KEY", _spki) + "\n";

    public byte[] Sign(ReadOnlySpan<byte> canonicalSigned) => _signer.SignSha256Der(canonicalSigned);

    public ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Sign(data.Span));
    }

    internal string PrivateKeyPem() => PemEncoding.WriteString("PRIVATE KEY", _key.ExportPkcs8PrivateKey()) + "\n";

    public void Dispose() => _key.Dispose();

    public override string ToString() => $"{Role.Name()} key {Generation} ({PublicKey.KeyId[..12]})";
}
