using System.Text.Json;
using AtymSecure.OtaReleases.Planning;

namespace AtymSecure.OtaReleases.Bundles;

/// <summary>
/// One entry of the cut index, <c>cuts/KEYID.json</c> in either store (the same bytes in a folder and in an object
/// store): the bundle's fields (as entries before the key was kept) and the key. Parsing is bounded and forgiving on
/// purpose: a damaged, oversized or foreign entry is no entry (it costs one cut again), never an error or a wrong bundle.
/// </summary>
internal sealed record CutIndexEntry(string Sha256, ulong Length, bool IsDelta, BundleCutKey? Key)
{
    /// <summary>Largest entry read (they are ~600 bytes with their key; a long grant list stays far below).</summary>
    public const int MaxBytes = 16 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static byte[] ToBytes(BundleCutKey key, BundleLocation bundle) =>
        JsonSerializer.SerializeToUtf8Bytes(new CutIndexEntry(bundle.Sha256, bundle.Length, bundle.IsDelta, key), Json);

    /// <summary>The entry stored under the name <paramref name="keyId"/>, or null when it is not a usable one. Its key is kept
    /// only when it is whole and hashes to that name (else it is not trusted to say what the bundle is for).</summary>
    public static RecordedCut? Parse(ReadOnlySpan<byte> bytes, string keyId)
    {
        if (bytes.Length > MaxBytes) return null;
        try
        {
            var entry = JsonSerializer.Deserialize<CutIndexEntry>(bytes, Json);
            if (entry is null || !BundleFileStore.IsSha256Hex(entry.Sha256)) return null;
            var key = entry.Key is { IsWhole: true } k && k.Id == keyId ? k : null;
            return new RecordedCut(key, new BundleLocation(entry.Sha256, entry.Length, entry.IsDelta));
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
