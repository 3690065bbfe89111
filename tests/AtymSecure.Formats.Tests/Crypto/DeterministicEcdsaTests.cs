using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using AtymSecure.Formats.Crypto;
using CsCheck;

namespace AtymSecure.Formats.Tests.Crypto;

/// <summary>RFC 6979 deterministic ECDSA: the published vectors, and signatures every verifier accepts.</summary>
public class DeterministicEcdsaTests
{
    // RFC 6979 Appendix A.2.5 (ECDSA, 256 bits, prime field): private key x and Ux, Uy.
    private const string PrivateKey = "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721";
    private const string PublicX = "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6";
    private const string PublicY = "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";

    private static ECDsa Rfc6979Key() => ECDsa.Create(new ECParameters
    {
        Curve = ECCurve.NamedCurves.nistP256,
        D = Convert.FromHexString(PrivateKey),
        Q = new ECPoint { X = Convert.FromHexString(PublicX), Y = Convert.FromHexString(PublicY) },
    });

    private static (string R, string S) Decode(byte[] der)
    {
        var sequence = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var r = sequence.ReadInteger();
        var s = sequence.ReadInteger();
        static string Hex(BigInteger v) => Convert.ToHexString(v.ToByteArray(isUnsigned: true, isBigEndian: true)).PadLeft(64, '0');
        return (Hex(r), Hex(s));
    }

    [Theory]
    [InlineData("sample", "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
        "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8")]
    [InlineData("test", "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
        "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083")]
    public void The_rfc6979_sha256_vectors_come_out_exactly(string message, string r, string s)
    {
        using var key = Rfc6979Key();
        var signature = DeterministicEcdsa.From(key).SignSha256Der(System.Text.Encoding.ASCII.GetBytes(message));
        Assert.Equal((r, s), Decode(signature));
    }

    [Fact]
    public void Same_key_and_bytes_give_the_same_signature_which_the_platform_and_the_device_verify()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signer = DeterministicEcdsa.From(key);
        var device = VerificationKey.FromDer(key.ExportSubjectPublicKeyInfo());
        Gen.Byte.Array[0, 512].Sample(data =>
        {
            var signature = signer.SignSha256Der(data);
            Assert.Equal(signature, DeterministicEcdsa.From(key).SignSha256Der(data));
            Assert.True(key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
            Assert.True(device.Verify(data, signature));
            Assert.False(device.Verify([.. data, 0], signature));
        }, iter: 200);
    }

    [Fact]
    public void A_public_key_alone_or_another_curve_is_refused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Throws<ArgumentException>(() => DeterministicEcdsa.From(p384));
        using var full = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var publicOnly = ECDsa.Create(full.ExportParameters(false));
        Assert.ThrowsAny<CryptographicException>(() => DeterministicEcdsa.From(publicOnly));
    }
}
