using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using AtymSecure.Formats.UpdateMetadata.Signing;

namespace AtymSecure.Formats.Tests.UpdateMetadata;

/// <summary>
/// Deterministic test keys: Ed25519 from the seed SHA-256("atym-test-key:" + name), so goldens signed with them can be
/// re-verified forever without key files; and the committed P-256 key of tests/pki for the ECDSA path.
/// </summary>
internal static class TestKeys
{
    private static readonly ConcurrentDictionary<string, Ed25519MetadataSigner> Cache = new(StringComparer.Ordinal);

    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    public static Ed25519MetadataSigner Ed25519(string name) =>
        Cache.GetOrAdd(name, n => Ed25519MetadataSigner.FromSeed(SHA256.HashData(Encoding.UTF8.GetBytes("atym-test-key:" + n))));

    /// <summary>tests/pki/ecdsa-p256.key: the committed test key (never regenerated).</summary>
    public static EcdsaP256MetadataSigner EcdsaP256() =>
        EcdsaP256MetadataSigner.FromPem(File.ReadAllText(Path.Combine(Here(), "..", "..", "pki", "ecdsa-p256.key")));
}
