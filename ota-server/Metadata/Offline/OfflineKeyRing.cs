using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.Primitives;
using AtymSecure.Signer.Keys;

namespace AtymSecure.OtaMetadata.Offline;

/// <summary>An offline key file (encrypted PKCS#8, <c>atym keygen</c>'s format) used to sign metadata.</summary>
public sealed class OfflineMetadataSigner(SoftwareSigningKey key) : IMetadataSigner, IDisposable
{
    public TufKey PublicKey { get; } = TufKey.From(key.PublicKey);

    public byte[] Sign(ReadOnlySpan<byte> canonicalSigned) => key.Sign(canonicalSigned);

    public void Dispose() => key.Dispose();
}

/// <summary>
/// The operator's offline keys in <c>DIR/keys/</c>: <c>NAME.key</c> (encrypted PKCS#8, 0600, passphrase from
/// <c>ATYM_KEY_PASSPHRASE</c>) and <c>NAME.pub</c>. Names say what a key was made for (<c>image-root-1</c>,
/// <c>image-targets-1</c>, <c>director-root-1</c>); which role a key serves is decided by the signed metadata that lists
/// it, so <see cref="SignersFor"/> finds the private keys for the key ids a role lists.
/// </summary>
/// <param name="iterations">PBKDF2 iterations for new key files (tests use fewer; reading takes each file's own count).</param>
public sealed class OfflineKeyRing(string folder, PassphraseSource passphrase, int iterations = Pkcs8Encryption.DefaultIterations)
{
    public string Folder { get; } = Directory.CreateDirectory(folder).FullName;

    /// <summary>Makes <c>NAME.key</c> and <c>NAME.pub</c>; refuses to overwrite.</summary>
    public async Task<TufKey> GenerateAsync(string name, SignatureAlgorithm algorithm, CancellationToken ct = default)
    {
        var pair = await KeyGenerator.GenerateFilesAsync(Path.Combine(Folder, name), passphrase, algorithm, iterations, ct).ConfigureAwait(false);
        return TufKey.From(VerificationKey.FromFile(pair.PublicKeyPath));
    }

    /// <summary>A free name <c>PREFIX-N</c> (the next N).</summary>
    public string NextName(string prefix)
    {
        for (var n = 1; ; n++)
            if (!File.Exists(Path.Combine(Folder, $"{prefix}-{n}.pub"))) return $"{prefix}-{n}";
    }

    /// <summary>Signers for the listed key ids whose private key is in this folder (at least <paramref name="threshold"/>).</summary>
    public async Task<IReadOnlyList<OfflineMetadataSigner>> SignersFor(IEnumerable<string> keyIds, int threshold, string role, CancellationToken ct = default)
    {
        var wanted = keyIds.ToHashSet(StringComparer.Ordinal);
        var signers = new List<OfflineMetadataSigner>();
        foreach (var pub in Directory.EnumerateFiles(Folder, "*.pub").Order(StringComparer.Ordinal))
        {
            var key = TufKey.From(VerificationKey.FromFile(pub));
            var privatePath = Path.ChangeExtension(pub, ".key");
            if (!wanted.Contains(key.KeyId) || !File.Exists(privatePath)) continue;
            signers.Add(new OfflineMetadataSigner(await PrivateKeyFile.LoadAsync(privatePath, passphrase, ct).ConfigureAwait(false)));
        }
        if (signers.Count < threshold)
            throw new ProblemException("offline signing", new Problem("offline-key-missing", role,
                $"{signers.Count} of the {role} role's keys are in {Folder}, its threshold is {threshold}"));
        return signers;
    }
}
