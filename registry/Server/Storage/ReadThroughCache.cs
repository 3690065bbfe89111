using System.Collections.Concurrent;

namespace AtymSecure.Registry.Storage;

/// <summary>
/// A read-through cache for metadata reads on hot paths (tag resolution, blob links), so GETs
/// do not hit the database each time. Writers call <see cref="Invalidate"/> after committing;
/// a generation counter stops a reader that loaded before the write from caching the stale value.
/// </summary>
internal sealed class ReadThroughCache<TValue>(int capacity)
{
    private readonly ConcurrentDictionary<string, TValue> _entries = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private long _generation;

    public TValue Get(string key, Func<string, TValue> load)
    {
        if (_entries.TryGetValue(key, out var cached)) return cached;
        var generation = Interlocked.Read(ref _generation);
        var value = load(key);
        lock (_gate)
        {
            if (generation == _generation)
            {
                if (_entries.Count >= capacity) _entries.Clear();
                _entries[key] = value;
            }
        }
        return value;
    }

    public void Invalidate(string key)
    {
        lock (_gate)
        {
            _generation++;
            _entries.TryRemove(key, out _);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _generation++;
            _entries.Clear();
        }
    }
}
