using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace AtymSecure.Formats.Crypto;

/// <summary>
/// A public key that can check signatures: ECDSA P-256 (SHA-256, ASN.1 DER signature) or Ed25519.
/// Immutable and thread-safe; holds only the DER SubjectPublicKeyInfo.
/// </summary>
public sealed class VerificationKey
{
    /// <summary>Largest PEM text we read; a P-256 public key PEM is about 180 bytes.</summary>
    public const int MaxPemBytes = 8 * 1024;

    /// <summary>DER ECDSA P-256 signature: SEQUENCE of two INTEGERs of up to 33 bytes each.</summary>
    public const int MaxEcdsaSignatureBytes = 72;

    public const int Ed25519SignatureBytes = 64;

    private readonly byte[] _spki;
    private readonly byte[] _keyBits;

    private VerificationKey(SignatureAlgorithm algorithm, byte[] spki, byte[] keyBits)
    {
        Algorithm = algorithm;
        _spki = spki;
        _keyBits = keyBits;
        KeyId = Crypto.KeyId.Compute(spki);
    }

    public SignatureAlgorithm Algorithm { get; }

    /// <summary>base64(SHA-256(DER SPKI)), the cosign key hint.</summary>
    public string KeyId { get; }

    /// <summary>A copy of the DER SubjectPublicKeyInfo.</summary>
    public byte[] Spki => (byte[])_spki.Clone();

    /// <summary>Parses a DER SubjectPublicKeyInfo; throws <see cref="InvalidPublicKeyException"/>.</summary>
    public static VerificationKey FromDer(ReadOnlySpan<byte> spki)
    {
        var (algorithm, bits) = SpkiReader.Read(spki);
        if (algorithm == SignatureAlgorithm.EcdsaP256Sha256)
        {
            // Let the platform check that the point is on the curve, once, at parse time.
            try
            {
                using var ecdsa = ECDsa.Create();
                ecdsa.ImportSubjectPublicKeyInfo(spki, out _);
            }
            catch (CryptographicException e)
            {
                throw new InvalidPublicKeyException($"P-256 point is not valid: {e.Message}");
            }
        }
        else
        {
            try
            {
                _ = new Ed25519PublicKeyParameters(bits);
            }
            catch (ArgumentException e)
            {
                throw new InvalidPublicKeyException($"Ed25519 point is not valid: {e.Message}");
            }
        }
        return new VerificationKey(algorithm, spki.ToArray(), bits);
    }

    /// <summary>Parses one <c>-----BEGIN PUBLIC KEY-----</c> PEM block; throws <see cref="InvalidPublicKeyException"/>.</summary>
    public static VerificationKey FromPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (pem.Length > MaxPemBytes) throw new InvalidPublicKeyException($"PEM text is {pem.Length} characters, limit {MaxPemBytes}");
        if (!PemEncoding.TryFind(pem, out var fields)) throw new InvalidPublicKeyException("no PEM block found");
        var label = pem[fields.Label];
        if (label != "PUBLIC KEY")
            throw new InvalidPublicKeyException($"PEM label is '{label}', expected 'PUBLIC KEY' (SubjectPublicKeyInfo)");
        var der = new byte[fields.DecodedDataLength];
        if (!Convert.TryFromBase64Chars(pem.AsSpan()[fields.Base64Data], der, out var written))
            throw new InvalidPublicKeyException("PEM body is not valid base64");
        return FromDer(der.AsSpan(0, written));
    }

    /// <summary>Accepts either PEM text or raw DER bytes (as read from a key file).</summary>
    public static VerificationKey FromPemOrDer(ReadOnlySpan<byte> content)
    {
        if (content.Length > MaxPemBytes) throw new InvalidPublicKeyException($"key file is {content.Length} bytes, limit {MaxPemBytes}");
        var trimmed = content.TrimStart(" \t\r\n"u8);
        return trimmed.StartsWith("-----"u8) ? FromPem(Encoding.ASCII.GetString(content)) : FromDer(content);
    }

    /// <summary>Reads a PEM or DER public key file, bounded by <see cref="MaxPemBytes"/> before it is read.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidPublicKeyException">Too large or not a public key; the message names the file.</exception>
    public static VerificationKey FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"public key file '{path}' does not exist", path);
        if (info.Length > MaxPemBytes) throw new InvalidPublicKeyException($"{path}: {info.Length} bytes, limit {MaxPemBytes}");
        try
        {
            return FromPemOrDer(File.ReadAllBytes(path));
        }
        catch (InvalidPublicKeyException e)
        {
            throw new InvalidPublicKeyException($"{path}: {e.Reason}");
        }
    }

    /// <summary>The key as PEM SubjectPublicKeyInfo text.</summary>
    public string ToPem() => PemEncoding.WriteString("PUBLIC KEY", _spki);

    /// <summary>
    /// True when <paramref name="signature"/> is a valid signature by this key over <paramref name="data"/>.
    /// ECDSA: SHA-256 and an ASN.1 DER signature (IEEE P1363 r||s is refused). Ed25519: pure Ed25519.
    /// Malformed signatures return false, never throw.
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        switch (Algorithm)
        {
            case SignatureAlgorithm.EcdsaP256Sha256:
                if (signature.IsEmpty || signature.Length > MaxEcdsaSignatureBytes) return false;
                using (var ecdsa = ECDsa.Create())
                {
                    ecdsa.ImportSubjectPublicKeyInfo(_spki, out _);
                    try
                    {
                        return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
                    }
                    catch (CryptographicException)
                    {
                        return false;
                    }
                }
            case SignatureAlgorithm.Ed25519:
                if (signature.Length != Ed25519SignatureBytes) return false;
                var verifier = new Ed25519Signer();
                verifier.Init(false, new Ed25519PublicKeyParameters(_keyBits));
                verifier.BlockUpdate(data);
                return verifier.VerifySignature(signature.ToArray());
            default:
                return false;
        }
    }
}
