using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AtymSecure.Formats.UpdateMetadata.Signing;

namespace AtymSecure.OtaMetadata.Tests;

/// <summary>Offline keys for tests: deterministic Ed25519 from SHA-256("atym-ota-test-key:" + name), as an operator's files would be.</summary>
internal static class OfflineTestKeys
{
    private static readonly ConcurrentDictionary<string, Ed25519MetadataSigner> Cache = new(StringComparer.Ordinal);

    public static Ed25519MetadataSigner Get(string name) =>
        Cache.GetOrAdd(name, n => Ed25519MetadataSigner.FromSeed(SHA256.HashData(Encoding.UTF8.GetBytes("atym-ota-test-key:" + n))));
}
