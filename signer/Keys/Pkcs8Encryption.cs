using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;

namespace AtymSecure.Signer.Keys;

/// <summary>
/// PKCS#8 EncryptedPrivateKeyInfo (RFC 5958 §3) with PBES2 (RFC 8018 §6.2): PBKDF2 with
/// HMAC-SHA256 and AES-256-CBC on write; on read also HMAC-SHA1/384/512 and AES-128/192-CBC,
/// which is what OpenSSL and .NET write. Passphrases are encoded as UTF-8 (as .NET and OpenSSL do).
/// Written by hand because .NET only encrypts its own key types and Ed25519 is not one of them.
/// </summary>
public static class Pkcs8Encryption
{
    /// <summary>Default PBKDF2 iterations (OWASP 2023 guidance for PBKDF2-HMAC-SHA256).</summary>
    public const int DefaultIterations = 600_000;

    /// <summary>Fewest iterations we write; weaker files are refused at write time.</summary>
    public const int MinWriteIterations = 10_000;

    /// <summary>Most iterations we accept on read, so a hostile file cannot pin a CPU for hours.</summary>
    public const int MaxReadIterations = 10_000_000;

    public const int MaxEncryptedBytes = 16 * 1024;

    private const string Pbes2Oid = "1.2.840.113549.1.5.13";
    private const string Pbkdf2Oid = "1.2.840.113549.1.5.12";
    private const string HmacSha1Oid = "1.2.840.113549.2.7";
    private const string HmacSha256Oid = "1.2.840.113549.2.9";
    private const string HmacSha384Oid = "1.2.840.113549.2.10";
    private const string HmacSha512Oid = "1.2.840.113549.2.11";
    private const string Aes128CbcOid = "2.16.840.1.101.3.4.1.2";
    private const string Aes192CbcOid = "2.16.840.1.101.3.4.1.22";
    private const string Aes256CbcOid = "2.16.840.1.101.3.4.1.42";

    /// <summary>Encrypts a PrivateKeyInfo DER into EncryptedPrivateKeyInfo DER.</summary>
    public static byte[] Encrypt(ReadOnlySpan<byte> pkcs8, ReadOnlySpan<char> passphrase, int iterations = DefaultIterations)
    {
        if (iterations < MinWriteIterations)
            throw new ArgumentOutOfRangeException(nameof(iterations), iterations, $"at least {MinWriteIterations} PBKDF2 iterations are required");
        var salt = RandomNumberGenerator.GetBytes(16);
        var iv = RandomNumberGenerator.GetBytes(16);
        var key = DeriveKey(passphrase, salt, iterations, HashAlgorithmName.SHA256, 32);
        byte[] ciphertext;
        try
        {
            using var aes = Aes.Create();
            aes.Key = key;
            ciphertext = aes.EncryptCbc(pkcs8, iv, PaddingMode.PKCS7);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(Pbes2Oid);
                using (writer.PushSequence())
                {
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier(Pbkdf2Oid);
                        using (writer.PushSequence())
                        {
                            writer.WriteOctetString(salt);
                            writer.WriteInteger(iterations);
                            using (writer.PushSequence())
                            {
                                writer.WriteObjectIdentifier(HmacSha256Oid);
                                writer.WriteNull();
                            }
                        }
                    }
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier(Aes256CbcOid);
                        writer.WriteOctetString(iv);
                    }
                }
            }
            writer.WriteOctetString(ciphertext);
        }
        return writer.Encode();
    }

    /// <summary>Decrypts EncryptedPrivateKeyInfo DER; the caller must zero the result after use.</summary>
    public static byte[] Decrypt(ReadOnlySpan<byte> encrypted, ReadOnlySpan<char> passphrase)
    {
        if (encrypted.Length > MaxEncryptedBytes)
            throw new KeyFileException($"encrypted private key is {encrypted.Length} bytes, limit {MaxEncryptedBytes}");
        Pbes2Parameters p;
        byte[] ciphertext;
        try
        {
            var reader = new AsnReader(encrypted.ToArray(), AsnEncodingRules.DER);
            var info = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            p = ReadPbes2(info.ReadSequence());
            ciphertext = info.ReadOctetString();
            info.ThrowIfNotEmpty();
        }
        catch (AsnContentException e)
        {
            throw new KeyFileException($"malformed EncryptedPrivateKeyInfo: {e.Message}", e);
        }
        if (ciphertext.Length == 0 || ciphertext.Length % 16 != 0)
            throw new KeyFileException("encrypted key length is not a multiple of the AES block size");

        var key = DeriveKey(passphrase, p.Salt, p.Iterations, p.Prf, p.KeyBytes);
        try
        {
            using var aes = Aes.Create();
            aes.Key = key;
            return aes.DecryptCbc(ciphertext, p.Iv, PaddingMode.PKCS7);
        }
        catch (CryptographicException e)
        {
            throw new KeyFileException("cannot decrypt private key: wrong passphrase or corrupted file", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private sealed record Pbes2Parameters(byte[] Salt, int Iterations, HashAlgorithmName Prf, int KeyBytes, byte[] Iv);

    private static Pbes2Parameters ReadPbes2(AsnReader algorithm)
    {
        var oid = algorithm.ReadObjectIdentifier();
        if (oid != Pbes2Oid)
            throw new KeyFileException($"private key encryption '{oid}' is not supported (only PBES2, {Pbes2Oid})");
        var pbes2 = algorithm.ReadSequence();
        algorithm.ThrowIfNotEmpty();

        var kdf = pbes2.ReadSequence();
        var kdfOid = kdf.ReadObjectIdentifier();
        if (kdfOid != Pbkdf2Oid) throw new KeyFileException($"key derivation '{kdfOid}' is not supported (only PBKDF2)");
        var kdfParams = kdf.ReadSequence();
        kdf.ThrowIfNotEmpty();
        var salt = kdfParams.ReadOctetString();
        if (!kdfParams.TryReadInt32(out var iterations) || iterations < 1 || iterations > MaxReadIterations)
            throw new KeyFileException($"PBKDF2 iteration count must be between 1 and {MaxReadIterations}");
        int? declaredKeyLength = null;
        if (kdfParams.HasData && kdfParams.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            if (!kdfParams.TryReadInt32(out var kl)) throw new KeyFileException("PBKDF2 key length is out of range");
            declaredKeyLength = kl;
        }
        var prf = HashAlgorithmName.SHA1; // RFC 8018 default
        if (kdfParams.HasData)
        {
            var prfId = kdfParams.ReadSequence();
            var prfOid = prfId.ReadObjectIdentifier();
            if (prfId.HasData) prfId.ReadNull();
            prfId.ThrowIfNotEmpty();
            prf = prfOid switch
            {
                HmacSha1Oid => HashAlgorithmName.SHA1,
                HmacSha256Oid => HashAlgorithmName.SHA256,
                HmacSha384Oid => HashAlgorithmName.SHA384,
                HmacSha512Oid => HashAlgorithmName.SHA512,
                _ => throw new KeyFileException($"PBKDF2 PRF '{prfOid}' is not supported"),
            };
        }
        kdfParams.ThrowIfNotEmpty();

        var scheme = pbes2.ReadSequence();
        pbes2.ThrowIfNotEmpty();
        var cipherOid = scheme.ReadObjectIdentifier();
        var keyBytes = cipherOid switch
        {
            Aes128CbcOid => 16,
            Aes192CbcOid => 24,
            Aes256CbcOid => 32,
            _ => throw new KeyFileException($"cipher '{cipherOid}' is not supported (only AES-CBC)"),
        };
        var iv = scheme.ReadOctetString();
        scheme.ThrowIfNotEmpty();
        if (iv.Length != 16) throw new KeyFileException("AES-CBC IV must be 16 bytes");
        if (declaredKeyLength is { } declared && declared != keyBytes)
            throw new KeyFileException($"PBKDF2 key length {declared} does not match the cipher's {keyBytes}");
        return new Pbes2Parameters(salt, iterations, prf, keyBytes, iv);
    }

    private static byte[] DeriveKey(ReadOnlySpan<char> passphrase, byte[] salt, int iterations, HashAlgorithmName prf, int length)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(passphrase)];
        try
        {
            Encoding.UTF8.GetBytes(passphrase, bytes);
            return Rfc2898DeriveBytes.Pbkdf2(bytes, salt, iterations, prf, length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
