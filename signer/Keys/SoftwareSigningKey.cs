using System.Security.Cryptography;
using AtymSecure.Formats.Crypto;

namespace AtymSecure.Signer.Keys;

/// <summary>A private key held in process memory (generated, or decrypted from a key file).</summary>
public abstract class SoftwareSigningKey : ISigningKey, IDisposable
{
    private readonly byte[] _spki;

    private protected SoftwareSigningKey(SignatureAlgorithm algorithm, byte[] spki)
    {
        Algorithm = algorithm;
        _spki = spki;
        KeyId = Formats.Crypto.KeyId.Compute(spki);
    }

    public string KeyId { get; }
    public SignatureAlgorithm Algorithm { get; }
    public ReadOnlyMemory<byte> PublicKeySpki => _spki;

    /// <summary>The public half as a <see cref="VerificationKey"/>.</summary>
    public VerificationKey PublicKey => VerificationKey.FromDer(_spki);

    /// <summary>The public half as PEM SubjectPublicKeyInfo.</summary>
    public string PublicKeyPem() => PemEncoding.WriteString("PUBLIC KEY", _spki);

    public ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Sign(data.Span));
    }

    /// <summary>Synchronous signing; software keys never wait.</summary>
    public abstract byte[] Sign(ReadOnlySpan<byte> data);

    /// <summary>Unencrypted PKCS#8 PrivateKeyInfo DER. Callers must zero it after use.</summary>
    internal abstract byte[] ExportPkcs8();

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
