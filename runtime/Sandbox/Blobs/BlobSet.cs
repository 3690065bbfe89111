using AtymSecure.Formats.Container;
using AtymSecure.Primitives;

namespace AtymSecure.Runtime.Blobs;

/// <summary>
/// A container's read-only blobs (e.g. an ML model), each checked against the digest and size in its
/// <see cref="BlobReference"/> before the container may see it.
/// </summary>
public sealed class BlobSet
{
    private readonly Dictionary<string, byte[]> _blobs;

    private BlobSet(Dictionary<string, byte[]> blobs) => _blobs = blobs;

    public static BlobSet Empty { get; } = new(new Dictionary<string, byte[]>(StringComparer.Ordinal));

    public IReadOnlyCollection<string> Names => _blobs.Keys;

    public bool TryGet(string name, out ReadOnlyMemory<byte> bytes)
    {
        if (_blobs.TryGetValue(name, out var b))
        {
            bytes = b;
            return true;
        }
        bytes = default;
        return false;
    }

    /// <summary>Verifies every blob against its reference (sha256:hex digest, size); throws listing every mismatch.</summary>
    public static BlobSet Verify(IReadOnlyList<BlobReference> references, Func<BlobReference, byte[]?> load)
    {
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(load);
        var blobs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var r in references)
        {
            var bytes = load(r);
            if (bytes is null) { problems.Add($"blob '{r.Name}': missing"); continue; }
            if (bytes.LongLength != r.Size) { problems.Add($"blob '{r.Name}': {bytes.LongLength} bytes, reference says {r.Size}"); continue; }
            var actual = Digest.Compute(bytes).ToString();
            if (!string.Equals(actual, r.Digest, StringComparison.Ordinal)) { problems.Add($"blob '{r.Name}': digest {actual}, reference says {r.Digest}"); continue; }
            if (!blobs.TryAdd(r.Name, bytes)) problems.Add($"blob '{r.Name}': listed twice");
        }
        return problems.Count == 0 ? new BlobSet(blobs) : throw new Artifacts.ArtifactVerificationException($"blobs rejected: {string.Join("; ", problems)}");
    }
}
