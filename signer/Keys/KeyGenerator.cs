using System.Text;
using AtymSecure.Formats.Crypto;
using AtymSecure.Primitives;

namespace AtymSecure.Signer.Keys;

/// <summary>Creates signing keys: ECDSA P-256 by default (cosign's choice), or Ed25519.</summary>
public static class KeyGenerator
{
    public static SoftwareSigningKey Generate(SignatureAlgorithm algorithm = SignatureAlgorithm.EcdsaP256Sha256) => algorithm switch
    {
        SignatureAlgorithm.EcdsaP256Sha256 => EcdsaP256SigningKey.Generate(),
        SignatureAlgorithm.Ed25519 => Ed25519SigningKey.Generate(),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown signature algorithm"),
    };

    /// <summary>
    /// Generates a key pair and writes <c>&lt;prefix&gt;.key</c> (encrypted PKCS#8 PEM, mode 0600) and
    /// <c>&lt;prefix&gt;.pub</c> (PEM SPKI). Refuses to overwrite existing files. Returns the key id.
    /// </summary>
    public static async Task<GeneratedKeyPair> GenerateFilesAsync(string pathPrefix, PassphraseSource passphrase,
        SignatureAlgorithm algorithm = SignatureAlgorithm.EcdsaP256Sha256, int iterations = Pkcs8Encryption.DefaultIterations,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pathPrefix);
        ArgumentNullException.ThrowIfNull(passphrase);
        var privatePath = pathPrefix + ".key";
        var publicPath = pathPrefix + ".pub";
        foreach (var p in new[] { privatePath, publicPath })
            if (File.Exists(p)) throw new KeyFileException($"'{p}' already exists; refusing to overwrite a key");
        var secret = passphrase.Get();
        if (secret.Length == 0) throw new KeyFileException("the passphrase must not be empty");
        using var key = Generate(algorithm);
        await PrivateKeyFile.WriteAsync(privatePath, key, secret.AsMemory(), iterations, cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAsync(publicPath, Encoding.ASCII.GetBytes(key.PublicKeyPem() + "\n"), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return new GeneratedKeyPair(privatePath, publicPath, key.KeyId, algorithm);
    }
}

/// <summary>Where <see cref="KeyGenerator.GenerateFilesAsync"/> put the key pair.</summary>
public sealed record GeneratedKeyPair(string PrivateKeyPath, string PublicKeyPath, string KeyId, SignatureAlgorithm Algorithm);
