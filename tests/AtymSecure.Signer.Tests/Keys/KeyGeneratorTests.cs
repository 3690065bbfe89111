using System.Security.Cryptography;
using AtymSecure.Formats.Crypto;
using AtymSecure.Signer.Keys;
using AtymSecure.Signer.Tests.Infrastructure;
using AtymSecure.TestSupport;

namespace AtymSecure.Signer.Tests.Keys;

public class KeyGeneratorTests
{
    [Theory]
    [InlineData(SignatureAlgorithm.EcdsaP256Sha256)]
    [InlineData(SignatureAlgorithm.Ed25519)]
    public async Task Generated_key_signs_what_its_public_key_verifies(SignatureAlgorithm algorithm)
    {
        using var key = KeyGenerator.Generate(algorithm);
        var data = "the manifest"u8.ToArray();
        var signature = await key.SignAsync(data);

        Assert.Equal(algorithm, key.Algorithm);
        Assert.True(key.PublicKey.Verify(data, signature));
        Assert.False(key.PublicKey.Verify("another manifest"u8, signature));
    }

    [Theory]
    [InlineData(SignatureAlgorithm.EcdsaP256Sha256)]
    [InlineData(SignatureAlgorithm.Ed25519)]
    public void Key_id_is_base64_sha256_of_the_der_spki(SignatureAlgorithm algorithm)
    {
        using var key = KeyGenerator.Generate(algorithm);
        Assert.Equal(Convert.ToBase64String(SHA256.HashData(key.PublicKeySpki.Span)), key.KeyId);
        Assert.Equal(key.KeyId, VerificationKey.FromPem(key.PublicKeyPem()).KeyId);
    }

    [Fact]
    public async Task Ecdsa_signatures_are_asn1_der_and_verify_with_the_platform()
    {
        using var key = KeyGenerator.Generate();
        var data = new byte[] { 1, 2, 3 };
        var signature = await key.SignAsync(data);

        Assert.Equal(0x30, signature[0]); // DER SEQUENCE, not IEEE P1363 r||s
        using var platform = ECDsa.Create();
        platform.ImportSubjectPublicKeyInfo(key.PublicKeySpki.Span, out _);
        Assert.True(platform.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public async Task Ed25519_signatures_are_64_bytes_and_deterministic()
    {
        using var key = KeyGenerator.Generate(SignatureAlgorithm.Ed25519);
        var first = await key.SignAsync("x"u8.ToArray());
        var second = await key.SignAsync("x"u8.ToArray());
        Assert.Equal(64, first.Length);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task GenerateFiles_writes_a_private_key_only_the_owner_can_read_and_a_public_pem()
    {
        using var dir = TempFolder.Create("signer");
        var pair = await KeyGenerator.GenerateFilesAsync(dir.File("cosign"), PassphraseSource.FromValue("correct horse"),
            iterations: Pkcs8Encryption.MinWriteIterations);

        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(pair.PrivateKeyPath));
        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", await File.ReadAllTextAsync(pair.PrivateKeyPath));
        var publicKey = VerificationKey.FromPem(await File.ReadAllTextAsync(pair.PublicKeyPath));
        Assert.Equal(pair.KeyId, publicKey.KeyId);
        using var loaded = await PrivateKeyFile.LoadAsync(pair.PrivateKeyPath, PassphraseSource.FromValue("correct horse"));
        Assert.Equal(pair.KeyId, loaded.KeyId);
        Assert.Empty(Directory.GetFiles(dir.Path, AtymSecure.Primitives.AtomicFile.TemporaryFilePattern));
    }

    [Fact]
    public async Task GenerateFiles_refuses_to_overwrite_an_existing_key()
    {
        using var dir = TempFolder.Create("signer");
        dir.Write("cosign.key", "precious");
        var error = await Assert.ThrowsAsync<KeyFileException>(() =>
            KeyGenerator.GenerateFilesAsync(dir.File("cosign"), PassphraseSource.FromValue("pw"), iterations: Pkcs8Encryption.MinWriteIterations));
        Assert.Contains("refusing to overwrite", error.Message, StringComparison.Ordinal);
        Assert.Equal("precious", await File.ReadAllTextAsync(dir.File("cosign.key")));
    }

    [Fact]
    public async Task GenerateFiles_refuses_an_empty_passphrase()
    {
        using var dir = TempFolder.Create("signer");
        await Assert.ThrowsAsync<KeyFileException>(() =>
            KeyGenerator.GenerateFilesAsync(dir.File("k"), PassphraseSource.FromValue(""), iterations: Pkcs8Encryption.MinWriteIterations));
    }

    [Fact]
    public void Passphrase_comes_from_the_environment_variable_before_the_prompt()
    {
        var variable = "ATYM_TEST_PASSPHRASE_" + Guid.NewGuid().ToString("N");
        var prompted = 0;
        var source = PassphraseSource.FromEnvironment(variable, () => { prompted++; return "typed"; });

        Assert.Equal("typed", source.Get());
        Environment.SetEnvironmentVariable(variable, "from-env");
        try
        {
            Assert.Equal("from-env", source.Get());
            Assert.Equal(1, prompted);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Passphrase_without_env_or_prompt_is_a_clear_error()
    {
        var variable = "ATYM_TEST_PASSPHRASE_" + Guid.NewGuid().ToString("N");
        var error = Assert.Throws<KeyFileException>(() => PassphraseSource.FromEnvironment(variable).Get());
        Assert.Contains(variable, error.Message, StringComparison.Ordinal);
    }
}
