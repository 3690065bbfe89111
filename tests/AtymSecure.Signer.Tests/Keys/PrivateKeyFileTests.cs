using System.Security.Cryptography;
using AtymSecure.Formats.Crypto;
using AtymSecure.Signer.Keys;
using AtymSecure.Signer.Tests.Infrastructure;
using AtymSecure.TestSupport;
using CsCheck;

namespace AtymSecure.Signer.Tests.Keys;

public class PrivateKeyFileTests
{
    private const int FastIterations = Pkcs8Encryption.MinWriteIterations;

    [Theory]
    [InlineData(SignatureAlgorithm.EcdsaP256Sha256)]
    [InlineData(SignatureAlgorithm.Ed25519)]
    public async Task Encrypted_pem_round_trips_to_the_same_key(SignatureAlgorithm algorithm)
    {
        using var key = KeyGenerator.Generate(algorithm);
        var pem = PrivateKeyFile.ToPem(key, "pässphrase", FastIterations);
        using var back = PrivateKeyFile.FromPem(pem, "pässphrase");

        Assert.Equal(key.KeyId, back.KeyId);
        var signature = await back.SignAsync("data"u8.ToArray());
        Assert.True(key.PublicKey.Verify("data"u8, signature));
    }

    [Fact]
    public void Default_encryption_is_pbes2_aes256cbc_pbkdf2_sha256_with_600k_iterations()
    {
        using var key = KeyGenerator.Generate();
        var pem = PrivateKeyFile.ToPem(key, "pw");
        var der = PemEncoding.Find(pem) is var f ? Convert.FromBase64String(pem[f.Base64Data]) : [];
        var hex = Convert.ToHexStringLower(der);

        Assert.Contains(Convert.ToHexStringLower(OidDer("1.2.840.113549.1.5.13")), hex, StringComparison.Ordinal); // PBES2
        Assert.Contains(Convert.ToHexStringLower(OidDer("1.2.840.113549.2.9")), hex, StringComparison.Ordinal);     // hmacWithSHA256
        Assert.Contains(Convert.ToHexStringLower(OidDer("2.16.840.1.101.3.4.1.42")), hex, StringComparison.Ordinal); // aes256-CBC
        Assert.Contains("02030927c0", hex, StringComparison.Ordinal); // INTEGER 600000
    }

    [Fact]
    public void Our_encrypted_ecdsa_key_is_readable_by_the_platform()
    {
        using var key = KeyGenerator.Generate();
        var pem = PrivateKeyFile.ToPem(key, "pw", FastIterations);
        using var platform = ECDsa.Create();
        platform.ImportFromEncryptedPem(pem, "pw");
        Assert.Equal(key.PublicKeySpki.ToArray(), platform.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void A_platform_encrypted_ecdsa_key_is_readable_by_us()
    {
        using var platform = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = platform.ExportEncryptedPkcs8PrivateKeyPem("pw",
            new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA512, 20_000));
        using var key = PrivateKeyFile.FromPem(pem, "pw");
        Assert.Equal(platform.ExportSubjectPublicKeyInfo(), key.PublicKeySpki.ToArray());
    }

    [Theory]
    [InlineData(SignatureAlgorithm.EcdsaP256Sha256, "prime256v1")]
    [InlineData(SignatureAlgorithm.Ed25519, "ED25519")]
    [Trait("Requires", "openssl")]
    public async Task Openssl_decrypts_our_key_file_to_the_same_public_key(SignatureAlgorithm algorithm, string opensslType)
    {
        var openssl = ExternalTool.Require("openssl", "install the Debian package 'openssl'");
        using var dir = TempFolder.Create("signer");
        using var key = KeyGenerator.Generate(algorithm);
        var keyPath = dir.Write("k.pem", PrivateKeyFile.ToPem(key, "open sesame", FastIterations));

        var result = await ExternalTool.RunAsync(openssl, ["pkey", "-in", keyPath, "-passin", "env:ATYM_PW", "-pubout", "-text"],
            environment: new Dictionary<string, string> { ["ATYM_PW"] = "open sesame" });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(key.KeyId, VerificationKey.FromPem(result.StdOut).KeyId);
        Assert.Contains(opensslType, result.StdOut, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    [Trait("Requires", "openssl")]
    public async Task We_read_an_ed25519_key_that_openssl_encrypted()
    {
        var openssl = ExternalTool.Require("openssl", "install the Debian package 'openssl'");
        using var dir = TempFolder.Create("signer");
        var env = new Dictionary<string, string> { ["ATYM_PW"] = "pw" };
        var plain = dir.File("plain.pem");
        var encrypted = dir.File("enc.pem");
        Assert.Equal(0, (await ExternalTool.RunAsync(openssl, ["genpkey", "-algorithm", "ED25519", "-out", plain])).ExitCode);
        var enc = await ExternalTool.RunAsync(openssl,
            ["pkcs8", "-topk8", "-in", plain, "-out", encrypted, "-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA256", "-iter", "20000", "-passout", "env:ATYM_PW"],
            environment: env);
        Assert.True(enc.ExitCode == 0, enc.ToString());
        var pub = await ExternalTool.RunAsync(openssl, ["pkey", "-in", plain, "-pubout"]);

        using var key = PrivateKeyFile.FromPem(await File.ReadAllTextAsync(encrypted), "pw");
        Assert.Equal(SignatureAlgorithm.Ed25519, key.Algorithm);
        Assert.Equal(VerificationKey.FromPem(pub.StdOut).KeyId, key.KeyId);
    }

    [Fact]
    public void Wrong_passphrase_is_a_clear_error()
    {
        using var key = KeyGenerator.Generate();
        var pem = PrivateKeyFile.ToPem(key, "right", FastIterations);
        var error = Assert.Throws<KeyFileException>(() => PrivateKeyFile.FromPem(pem, "wrong"));
        Assert.Contains("wrong passphrase", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unencrypted_private_keys_are_refused()
    {
        using var platform = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var error = Assert.Throws<KeyFileException>(() => PrivateKeyFile.FromPem(platform.ExportPkcs8PrivateKeyPem(), "pw"));
        Assert.Contains("only encrypted PKCS#8", error.Message, StringComparison.Ordinal);
        Assert.Throws<KeyFileException>(() => PrivateKeyFile.FromPem(platform.ExportECPrivateKeyPem(), "pw"));
    }

    [Fact]
    public void Keys_on_other_curves_are_refused_after_decryption()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var pem = p384.ExportEncryptedPkcs8PrivateKeyPem("pw", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 20_000));
        var error = Assert.Throws<KeyFileException>(() => PrivateKeyFile.FromPem(pem, "pw"));
        Assert.Contains("P-256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hostile_iteration_counts_are_refused_before_any_work()
    {
        var error = Assert.Throws<KeyFileException>(() => Pkcs8Encryption.Decrypt(HandMadeEncryptedKey(iterations: 50_000_000), "pw"));
        Assert.Contains("iteration count", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Pkcs8Encryption.Encrypt([1, 2, 3], "pw", 1000));
    }

    [Fact]
    public void Unsupported_encryption_schemes_are_named_in_the_error()
    {
        var error = Assert.Throws<KeyFileException>(() => Pkcs8Encryption.Decrypt(HandMadeEncryptedKey(20_000, cipherOid: "1.2.840.113549.3.7"), "pw"));
        Assert.Contains("1.2.840.113549.3.7", error.Message, StringComparison.Ordinal);
    }

    /// <summary>An EncryptedPrivateKeyInfo with chosen PBES2 parameters and junk ciphertext.</summary>
    private static byte[] HandMadeEncryptedKey(int iterations, string cipherOid = "2.16.840.1.101.3.4.1.42")
    {
        var w = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            using (w.PushSequence())
            {
                w.WriteObjectIdentifier("1.2.840.113549.1.5.13");
                using (w.PushSequence())
                {
                    using (w.PushSequence())
                    {
                        w.WriteObjectIdentifier("1.2.840.113549.1.5.12");
                        using (w.PushSequence())
                        {
                            w.WriteOctetString(new byte[16]);
                            w.WriteInteger(iterations);
                        }
                    }
                    using (w.PushSequence())
                    {
                        w.WriteObjectIdentifier(cipherOid);
                        w.WriteOctetString(new byte[16]);
                    }
                }
            }
            w.WriteOctetString(new byte[32]);
        }
        return w.Encode();
    }

    [Fact]
    public void Oversized_key_file_is_refused()
    {
        var error = Assert.Throws<KeyFileException>(() => PrivateKeyFile.FromPem(new string('A', PrivateKeyFile.MaxFileBytes + 1), "pw"));
        Assert.Contains("limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decrypt_of_arbitrary_bytes_fails_only_with_KeyFileException()
    {
        Gen.Byte.Array[0, 400].Sample(bytes =>
        {
            try
            {
                Pkcs8Encryption.Decrypt(bytes, "pw");
            }
            catch (KeyFileException)
            {
            }
        }, iter: 2000);
    }

    [Fact]
    public void Decrypt_of_mutated_key_files_fails_only_with_KeyFileException()
    {
        using var key = KeyGenerator.Generate();
        var der = Convert.FromBase64String(PemBody(PrivateKeyFile.ToPem(key, "pw", FastIterations)));
        Gen.Select(Gen.Int[0, der.Length - 1], Gen.Byte).Sample((index, value) =>
        {
            var mutated = (byte[])der.Clone();
            mutated[index] = value;
            try
            {
                using var k = PrivateKeyFile.FromPkcs8(Pkcs8Encryption.Decrypt(mutated, "pw"));
            }
            catch (KeyFileException)
            {
            }
        }, iter: 60);
    }

    [Fact]
    public void Private_key_pem_parser_on_arbitrary_text_only_throws_KeyFileException() =>
        Gen.OneOf(
            Gen.String[0, 300],
            Gen.Byte.Array[0, 300].Select(b => $"-----BEGIN ENCRYPTED PRIVATE KEY-----\n{Convert.ToBase64String(b)}\n-----END ENCRYPTED PRIVATE KEY-----\n"))
        .Sample(text =>
        {
            try
            {
                using var key = PrivateKeyFile.FromPem(text, "pw");
            }
            catch (KeyFileException)
            {
            }
        }, iter: 2000);

    private static string PemBody(string pem)
    {
        var fields = PemEncoding.Find(pem);
        return pem[fields.Base64Data];
    }

    private static byte[] OidDer(string oid)
    {
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        writer.WriteObjectIdentifier(oid);
        return writer.Encode();
    }
}
