using System.Formats.Asn1;
using System.Security.Cryptography;
using AtymSecure.Formats.Crypto;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace AtymSecure.Signer.Keys;

/// <summary>Ed25519 key via BouncyCastle (.NET has no Ed25519). Pure Ed25519, 64-byte signatures.</summary>
public sealed class Ed25519SigningKey : SoftwareSigningKey
{
    private readonly Ed25519PrivateKeyParameters _privateKey;

    private Ed25519SigningKey(Ed25519PrivateKeyParameters privateKey)
        : base(SignatureAlgorithm.Ed25519,
            SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(privateKey.GeneratePublicKey()).GetDerEncoded())
        => _privateKey = privateKey;

    public static Ed25519SigningKey Generate() => new(new Ed25519PrivateKeyParameters(new SecureRandom()));

    /// <summary>Imports an unencrypted RFC 8410 PKCS#8 Ed25519 key.</summary>
    internal static Ed25519SigningKey FromPkcs8(byte[] pkcs8)
    {
        var key = PrivateKeyFactory.CreateKey(PrivateKeyInfo.GetInstance(pkcs8));
        return key is Ed25519PrivateKeyParameters ed
            ? new Ed25519SigningKey(ed)
            : throw new KeyFileException($"PKCS#8 key is {key.GetType().Name}, expected Ed25519");
    }

    public override byte[] Sign(ReadOnlySpan<byte> data)
    {
        var signer = new Ed25519Signer();
        signer.Init(true, _privateKey);
        signer.BlockUpdate(data);
        return signer.GenerateSignature();
    }

    /// <summary>
    /// RFC 8410 §7 PrivateKeyInfo v1 (seed only). BouncyCastle would write v2 with the public key
    /// attached, which OpenSSL 3.0 refuses to read.
    /// </summary>
    internal override byte[] ExportPkcs8()
    {
        var seed = _privateKey.GetEncoded();
        try
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            using (writer.PushSequence())
            {
                writer.WriteInteger(0);
                using (writer.PushSequence()) writer.WriteObjectIdentifier("1.3.101.112");
                using (writer.PushOctetString()) writer.WriteOctetString(seed);
            }
            return writer.Encode();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }
}
