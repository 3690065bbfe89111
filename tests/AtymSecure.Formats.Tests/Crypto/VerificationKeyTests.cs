using System.Security.Cryptography;
using System.Text;
using AtymSecure.Formats.Crypto;
using CsCheck;

namespace AtymSecure.Formats.Tests.Crypto;

public class VerificationKeyTests
{
    // RFC 8032 §7.1, TEST 2: one-byte message 0x72.
    private const string Rfc8032PublicKey = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
    private const string Rfc8032Signature =
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

    private static byte[] Ed25519Spki(string publicKeyHex) =>
        [.. Convert.FromHexString("302a300506032b6570032100"), .. Convert.FromHexString(publicKeyHex)];

    [Fact]
    public void Ed25519_rfc8032_test_vector_verifies()
    {
        var key = VerificationKey.FromDer(Ed25519Spki(Rfc8032PublicKey));
        Assert.Equal(SignatureAlgorithm.Ed25519, key.Algorithm);
        Assert.True(key.Verify([0x72], Convert.FromHexString(Rfc8032Signature)));
        Assert.False(key.Verify([0x73], Convert.FromHexString(Rfc8032Signature)));
    }

    [Fact]
    public void Ecdsa_p256_der_signature_from_the_platform_verifies_and_p1363_is_refused()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = VerificationKey.FromPem(ecdsa.ExportSubjectPublicKeyInfoPem());
        var data = Encoding.UTF8.GetBytes("manifest bytes");

        Assert.Equal(SignatureAlgorithm.EcdsaP256Sha256, key.Algorithm);
        Assert.True(key.Verify(data, ecdsa.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)));
        Assert.False(key.Verify(data, ecdsa.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)));
        Assert.False(key.Verify([.. data, 0], ecdsa.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)));
    }

    [Fact]
    public void Key_id_is_base64_sha256_of_der_spki_and_pem_round_trips()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = ecdsa.ExportSubjectPublicKeyInfo();
        var key = VerificationKey.FromDer(spki);
        Assert.Equal(Convert.ToBase64String(SHA256.HashData(spki)), key.KeyId);
        Assert.Equal(key.KeyId, VerificationKey.FromPem(key.ToPem()).KeyId);
        Assert.Equal(key.KeyId, VerificationKey.FromPemOrDer(Encoding.ASCII.GetBytes(key.ToPem())).KeyId);
        Assert.Equal(key.KeyId, VerificationKey.FromPemOrDer(spki).KeyId);
        Assert.Equal(spki, key.Spki);
    }

    [Fact]
    public void Other_curves_and_algorithms_are_refused_with_the_reason()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Contains("P-256", Assert.Throws<InvalidPublicKeyException>(() => VerificationKey.FromDer(p384.ExportSubjectPublicKeyInfo())).Reason,
            StringComparison.Ordinal);
        using var rsa = RSA.Create(2048);
        Assert.Contains("limit", Assert.Throws<InvalidPublicKeyException>(() => VerificationKey.FromDer(rsa.ExportSubjectPublicKeyInfo())).Reason,
            StringComparison.Ordinal);
        using var rsa512 = RSA.Create(512);
        Assert.Contains("not supported", Assert.Throws<InvalidPublicKeyException>(() => VerificationKey.FromDer(rsa512.ExportSubjectPublicKeyInfo())).Reason,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")]
    [InlineData("-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----")]
    public void Malformed_pem_is_refused(string pem) =>
        Assert.Throws<InvalidPublicKeyException>(() => VerificationKey.FromPem(pem));

    [Fact]
    public void Oversized_input_is_refused_before_parsing()
    {
        Assert.Throws<InvalidPublicKeyException>(() => VerificationKey.FromPem(new string(' ', VerificationKey.MaxPemBytes + 1)));
        Assert.Throws<InvalidPublicKeyException>(() => VerificationKey.FromDer(new byte[SpkiReader.MaxSpkiBytes + 1]));
    }

    [Fact]
    public void Point_off_the_curve_is_refused()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = ecdsa.ExportSubjectPublicKeyInfo();
        spki[^1] ^= 0x01; // y no longer matches x
        Assert.Throws<InvalidPublicKeyException>(() => VerificationKey.FromDer(spki));
    }

    [Fact]
    public void Ed25519_spki_with_parameters_is_refused()
    {
        // AlgorithmIdentifier with a NULL parameter, which RFC 8410 forbids.
        byte[] spki = [.. Convert.FromHexString("302c300706032b65700500032100"), .. Convert.FromHexString(Rfc8032PublicKey)];
        Assert.Throws<InvalidPublicKeyException>(() => VerificationKey.FromDer(spki));
    }

    [Fact]
    public void Wrong_length_signatures_are_false_not_exceptions()
    {
        var ed = VerificationKey.FromDer(Ed25519Spki(Rfc8032PublicKey));
        Assert.False(ed.Verify([0x72], new byte[63]));
        Assert.False(ed.Verify([0x72], []));
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ec = VerificationKey.FromDer(ecdsa.ExportSubjectPublicKeyInfo());
        Assert.False(ec.Verify([1], new byte[VerificationKey.MaxEcdsaSignatureBytes + 1]));
        Assert.False(ec.Verify([1], []));
    }

    [Fact]
    public void Spki_parser_on_arbitrary_and_mutated_bytes_only_throws_InvalidPublicKeyException()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var valid = new[] { ecdsa.ExportSubjectPublicKeyInfo(), Ed25519Spki(Rfc8032PublicKey) };
        var inputs = Gen.OneOf(
            Gen.Byte.Array[0, 120],
            Gen.Select(Gen.Int[0, 1], Gen.Int[0, 90], Gen.Byte).Select((which, at, value) =>
            {
                var copy = (byte[])valid[which].Clone();
                copy[at % copy.Length] = value;
                return copy;
            }));
        inputs.Sample(bytes =>
        {
            try
            {
                var key = VerificationKey.FromPemOrDer(bytes);
                Assert.False(key.Verify([1, 2, 3], new byte[64]));
            }
            catch (InvalidPublicKeyException)
            {
            }
        }, iter: 3000);
    }

    [Fact]
    public void Signature_verification_on_arbitrary_signatures_never_throws()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keys = new[] { VerificationKey.FromDer(ecdsa.ExportSubjectPublicKeyInfo()), VerificationKey.FromDer(Ed25519Spki(Rfc8032PublicKey)) };
        Gen.Select(Gen.Int[0, 1], Gen.Byte.Array[0, 100]).Sample((which, signature) =>
            Assert.False(keys[which].Verify([0x72, 0x73], signature)), iter: 2000);
    }

    [Fact]
    public void Pem_parser_on_arbitrary_bodies_only_throws_InvalidPublicKeyException() =>
        Gen.OneOf(Gen.String[0, 200], Gen.Char["ABCDEFabcdef0123456789+/=\n "].Array[0, 200].Select(c => new string(c))).Sample(body =>
        {
            try
            {
                VerificationKey.FromPem($"-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n");
            }
            catch (InvalidPublicKeyException)
            {
            }
        }, iter: 2000);
}
