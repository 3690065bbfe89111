namespace AtymSecure.Primitives;

/// <summary>
/// The one value equality for records that hold arrays, lists or dictionaries, which C# records compare by reference,
/// so two records with the same contents are equal and tests or diffs compare values, not serialised bytes. A record
/// whose collections are its own choice holds them as <see cref="EquatableList{T}"/> / <see cref="EquatableMap{TValue}"/>
/// (built on these helpers; System.Text.Json populates both) and keeps the compiler's generated equality, which cannot
/// forget a member. A record with byte arrays, or with collection types fixed by a wire format or a public signature,
/// overrides <c>Equals</c>/<c>GetHashCode</c> with these helpers instead (as YARP's config records do); tests check every
/// such record with TestSupport's <c>ValueEqualityProbe</c>.
/// </summary>
public static class ValueEquality
{
    /// <summary>Compares byte arrays by content, for lists of digests and hashes.</summary>
    public static IEqualityComparer<byte[]> ByteArrays { get; } = new ByteArrayComparer();

    public static bool Bytes(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    public static int BytesHash(byte[]? bytes)
    {
        if (bytes is null) return 0;
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }

    /// <summary>Same length and equal items in the same order.</summary>
    public static bool Lists<T>(IReadOnlyList<T>? a, IReadOnlyList<T>? b, IEqualityComparer<T>? comparer = null)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a is null || b is null || a.Count != b.Count) return false;
        comparer ??= EqualityComparer<T>.Default;
        for (var i = 0; i < a.Count; i++)
            if (!comparer.Equals(a[i], b[i])) return false;
        return true;
    }

    public static int ListHash<T>(IReadOnlyList<T>? items, IEqualityComparer<T>? comparer = null)
    {
        if (items is null) return 0;
        comparer ??= EqualityComparer<T>.Default;
        var hash = new HashCode();
        foreach (var item in items) hash.Add(item is null ? 0 : comparer.GetHashCode(item));
        return hash.ToHashCode();
    }

    /// <summary>The same keys (by <paramref name="b"/>'s key comparer) with equal values, in any order.</summary>
    public static bool Dictionaries<TKey, TValue>(IReadOnlyDictionary<TKey, TValue>? a, IReadOnlyDictionary<TKey, TValue>? b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a is null || b is null || a.Count != b.Count) return false;
        foreach (var (key, value) in a)
            if (!b.TryGetValue(key, out var other) || !EqualityComparer<TValue>.Default.Equals(value, other)) return false;
        return true;
    }

    /// <summary>Independent of order, as <see cref="Dictionaries"/> is.</summary>
    public static int DictionaryHash<TKey, TValue>(IReadOnlyDictionary<TKey, TValue>? items)
    {
        if (items is null) return 0;
        var sum = 0;
        foreach (var (key, value) in items) sum = unchecked(sum + HashCode.Combine(key, value));
        return HashCode.Combine(items.Count, sum);
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => Bytes(x, y);

        public int GetHashCode(byte[] obj) => BytesHash(obj);
    }
}
