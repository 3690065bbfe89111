using System.Security.Cryptography;
using AtymSecure.ObjectStore;

namespace AtymSecure.EndToEnd.Tests.Ota;

/// <summary>
/// Reads a registry's bucket directly (not through a registry) to check "no partial blob is visible": every object under
/// a final blob key (<c>blobs/sha256/XX/HEX</c>, the layout of the registry's S3 blob store) is read back whole and must
/// hash to the digest its key names. A blob the registry only half received lives under <c>uploads/</c> until it is
/// committed, so it never shows here.
/// </summary>
internal static class BlobBucketAudit
{
    private const string Blobs = "blobs/sha256/";

    /// <summary>Every final blob key's digest; fails the test on an object whose bytes are not that digest or whose key is not one.</summary>
    public static async Task<IReadOnlyList<string>> VerifiedBlobDigestsAsync(S3ObjectStore bucket)
    {
        var digests = new List<string>();
        await foreach (var entry in bucket.ListAsync(Blobs))
        {
            var parts = entry.Key[Blobs.Length..].Split('/');
            Assert.True(parts is [{ Length: 2 } prefix, { Length: 64 } hex] && hex.StartsWith(prefix, StringComparison.Ordinal),
                $"an object under the blob keys that is not a blob key: {entry.Key}");
            await using var content = await bucket.GetAsync(entry.Key);
            var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(content.Stream));
            Assert.True(hash == parts[1], $"{entry.Key} ({entry.Size} bytes) holds bytes that hash to sha256:{hash}");
            digests.Add("sha256:" + parts[1]);
        }
        return digests;
    }
}
