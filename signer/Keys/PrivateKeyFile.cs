using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;
using AtymSecure.Primitives;

namespace AtymSecure.Signer.Keys;

/// <summary>
/// Private keys on disk: PEM "ENCRYPTED PRIVATE KEY" (PKCS#8 EncryptedPrivateKeyInfo, see
/// <see cref="Pkcs8Encryption"/>). Plain "PRIVATE KEY" files are refused: keys at rest are encrypted.
/// </summary>
public static class PrivateKeyFile
{
    public const string PemLabel = "ENCRYPTED PRIVATE KEY";
    public const int MaxFileBytes = 32 * 1024;

    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string Ed25519Oid = "1.3.101.112";

    /// <summary>Encrypts <paramref name="key"/> into PEM text.</summary>
    public static string ToPem(SoftwareSigningKey key, ReadOnlySpan<char> passphrase, int iterations = Pkcs8Encryption.DefaultIterations)
    {
        ArgumentNullException.ThrowIfNull(key);
        var pkcs8 = key.ExportPkcs8();
        try
        {
            return PemEncoding.WriteString(PemLabel, Pkcs8Encryption.Encrypt(pkcs8, passphrase, iterations));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>Decrypts PEM text into a signing key; throws <see cref="KeyFileException"/>.</summary>
    public static SoftwareSigningKey FromPem(string pem, ReadOnlySpan<char> passphrase)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (pem.Length > MaxFileBytes) throw new KeyFileException($"key file is {pem.Length} characters, limit {MaxFileBytes}");
        if (!PemEncoding.TryFind(pem, out var fields)) throw new KeyFileException("no PEM block found in the private key file");
        var label = pem[fields.Label];
        if (label == "PRIVATE KEY" || label.EndsWith(" PRIVATE KEY", StringComparison.Ordinal) && label != PemLabel)
            throw new KeyFileException($"PEM label '{label}': only encrypted PKCS#8 ('{PemLabel}') private keys are accepted");
        if (label != PemLabel) throw new KeyFileException($"PEM label '{label}' is not a private key");
        var der = new byte[fields.DecodedDataLength];
        if (!Convert.TryFromBase64Chars(pem.AsSpan()[fields.Base64Data], der, out var written))
            throw new KeyFileException("PEM body is not valid base64");
        var pkcs8 = Pkcs8Encryption.Decrypt(der.AsSpan(0, written), passphrase);
        try
        {
            return FromPkcs8(pkcs8);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>Writes the encrypted key, owner-only (0600) from creation, atomically (<see cref="AtomicFile"/>).</summary>
    public static async Task WriteAsync(string path, SoftwareSigningKey key, ReadOnlyMemory<char> passphrase,
        int iterations = Pkcs8Encryption.DefaultIterations, CancellationToken cancellationToken = default)
    {
        var pem = ToPem(key, passphrase.Span, iterations);
        await AtomicFile.WriteAsync(path, Encoding.ASCII.GetBytes(pem), new AtomicWriteOptions { OwnerOnly = true }, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Reads and decrypts a key file, taking the passphrase from <paramref name="passphrase"/>.</summary>
    public static async Task<SoftwareSigningKey> LoadAsync(string path, PassphraseSource passphrase, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(passphrase);
        var info = new FileInfo(path);
        if (!info.Exists) throw new KeyFileException($"private key file '{path}' does not exist");
        if (info.Length > MaxFileBytes) throw new KeyFileException($"private key file '{path}' is {info.Length} bytes, limit {MaxFileBytes}");
        var pem = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            return FromPem(pem, passphrase.Get());
        }
        catch (KeyFileException e)
        {
            throw new KeyFileException($"{path}: {e.Message}", e);
        }
    }

    internal static SoftwareSigningKey FromPkcs8(byte[] pkcs8)
    {
        string oid;
        try
        {
            var reader = new AsnReader(pkcs8, AsnEncodingRules.DER);
            var info = reader.ReadSequence();
            info.ReadInteger();
            oid = info.ReadSequence().ReadObjectIdentifier();
        }
        catch (AsnContentException e)
        {
            throw new KeyFileException($"decrypted key is not a PKCS#8 PrivateKeyInfo: {e.Message}", e);
        }
        try
        {
            return oid switch
            {
                EcPublicKeyOid => EcdsaP256SigningKey.FromPkcs8(pkcs8),
                Ed25519Oid => Ed25519SigningKey.FromPkcs8(pkcs8),
                _ => throw new KeyFileException($"private key algorithm '{oid}' is not supported (only ECDSA P-256 and Ed25519)"),
            };
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or InvalidOperationException)
        {
            throw new KeyFileException($"decrypted private key is malformed: {e.Message}", e);
        }
    }
}
