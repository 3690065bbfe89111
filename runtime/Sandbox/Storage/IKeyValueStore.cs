namespace AtymSecure.Runtime.Storage;

/// <summary>A container's persistent key-value store (device API <c>kv_get</c>/<c>kv_set</c>).</summary>
public interface IKeyValueStore
{
    /// <summary>The value, or null when the key is absent.</summary>
    byte[]? Get(ReadOnlySpan<byte> key);

    /// <summary>Stores durably before returning; throws <see cref="KvQuotaException"/> past a limit.</summary>
    void Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    bool Delete(ReadOnlySpan<byte> key);

    int Count { get; }

    /// <summary>Bytes of live keys and values.</summary>
    long LiveBytes { get; }
}

/// <summary>Size limits of one container's store.</summary>
public sealed record KvLimits(int MaxKeyBytes = 64, int MaxValueBytes = 4096, long MaxLiveBytes = 64 * 1024, int MaxEntries = 1024)
{
    public static KvLimits Default { get; } = new();
}

/// <summary>A write that would pass a <see cref="KvLimits"/> bound.</summary>
public sealed class KvQuotaException : Exception
{
    public KvQuotaException(string message) : base(message) { }
    public KvQuotaException() { }
    public KvQuotaException(string message, Exception inner) : base(message, inner) { }
}
