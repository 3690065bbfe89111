using System.Collections.Concurrent;

namespace AtymSecure.Registry.Storage;

/// <summary>
/// Manifest bytes by digest, kept in memory for fast GETs. Content-addressed, so entries never go
/// stale; when the byte budget is exceeded the cache simply starts over (cheap and good enough for
/// the hot-set pattern of pulls).
/// </summary>
public sealed class ManifestContentCache(long maxBytes)
{
    private readonly ConcurrentDictionary<string, byte[]> _entries = new(StringComparer.Ordinal);
    private long _bytes;

    public bool TryGet(string digest, out byte[] content) => _entries.TryGetValue(digest, out content!);

    public void Add(string digest, byte[] content)
    {
        if (content.Length > maxBytes) return;
        if (Interlocked.Add(ref _bytes, content.Length) > maxBytes)
        {
            _entries.Clear();
            Interlocked.Exchange(ref _bytes, content.Length);
        }
        _entries[digest] = content;
    }
}
