using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace AtymSecure.Auth;

/// <summary>
/// A server's ES256 token key (EC P-256) with its key id: the first 16 bytes of the SHA-256 of the
/// public key (SubjectPublicKeyInfo), base64url — tokens name it in their <c>kid</c> header, and a
/// token naming any other key is refused without trying this one.
/// </summary>
public sealed class TokenSigningKey : IDisposable
{
    private readonly ECDsa _key;

    /// <summary>Takes ownership of <paramref name="key"/>, which must be a P-256 key with its private part.</summary>
    public TokenSigningKey(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.KeySize != 256) throw new ArgumentException($"an ES256 token key is EC P-256, not a {key.KeySize}-bit key", nameof(key));
        _key = key;
        KeyId = Base64UrlEncoder.Encode(SHA256.HashData(key.ExportSubjectPublicKeyInfo()).AsSpan(0, 16).ToArray());
        SecurityKey = new ECDsaSecurityKey(key) { KeyId = KeyId };
    }

    public string KeyId { get; }

    internal ECDsaSecurityKey SecurityKey { get; }

    /// <summary>Loads the PEM key file, or creates it (owner-only) when missing: <see cref="SigningKeyFile"/>.</summary>
    public static TokenSigningKey LoadOrCreate(string path) => new(SigningKeyFile.LoadOrCreate(path));

    public static TokenSigningKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public void Dispose() => _key.Dispose();
}
