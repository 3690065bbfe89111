using System.Collections;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.UpdateMetadata;

/// <summary>
/// An immutable list that compares by its items (<see cref="ValueEquality.Lists"/>), so records holding one keep value
/// equality without overriding Equals themselves. Order matters: TUF delegation order and signature order are meaningful.
/// </summary>
[CollectionBuilder(typeof(EquatableList), nameof(EquatableList.Create))]
public sealed class EquatableList<T> : IReadOnlyList<T>, IEquatable<EquatableList<T>>
{
    public static readonly EquatableList<T> Empty = new(ImmutableArray<T>.Empty);

    private readonly ImmutableArray<T> _items;

    public EquatableList(IEnumerable<T> items) => _items = [.. items];

    private EquatableList(ImmutableArray<T> items) => _items = items;

    public int Count => _items.Length;

    public T this[int index] => _items[index];

    public bool Equals(EquatableList<T>? other) => other is not null && ValueEquality.Lists(this, other);

    public override bool Equals(object? obj) => obj is EquatableList<T> other && Equals(other);

    public override int GetHashCode() => ValueEquality.ListHash(this);

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"[{string.Join(", ", _items)}]";

    public static implicit operator EquatableList<T>(T[] items) => new(items);

    public static implicit operator EquatableList<T>(List<T> items) => new(items);
}

/// <summary>Builds <see cref="EquatableList{T}"/> from collection expressions (<c>["a", "b"]</c>).</summary>
public static class EquatableList
{
    public static EquatableList<T> Create<T>(ReadOnlySpan<T> items) => new(items.ToArray());
}

/// <summary>
/// An immutable string-keyed map that compares by its entries (<see cref="ValueEquality.Dictionaries"/>). Keys are held in ordinal order; canonical JSON
/// output sorts them itself (<see cref="Json.CanonicalJsonWriter"/>), so this order is only for determinism.
/// </summary>
public sealed class EquatableMap<TValue> : IReadOnlyDictionary<string, TValue>, IEquatable<EquatableMap<TValue>>
{
    public static readonly EquatableMap<TValue> Empty = new(ImmutableSortedDictionary<string, TValue>.Empty.WithComparers(StringComparer.Ordinal));

    private readonly ImmutableSortedDictionary<string, TValue> _entries;

    public EquatableMap(IEnumerable<KeyValuePair<string, TValue>> entries) =>
        _entries = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, entries);

    private EquatableMap(ImmutableSortedDictionary<string, TValue> entries) => _entries = entries;

    public int Count => _entries.Count;

    public TValue this[string key] => _entries[key];

    public IEnumerable<string> Keys => _entries.Keys;

    public IEnumerable<TValue> Values => _entries.Values;

    public bool ContainsKey(string key) => _entries.ContainsKey(key);

    public bool TryGetValue(string key, out TValue value) => _entries.TryGetValue(key, out value!);

    public EquatableMap<TValue> SetItem(string key, TValue value) => new(_entries.SetItem(key, value));

    public bool Equals(EquatableMap<TValue>? other) => other is not null && ValueEquality.Dictionaries(this, other);

    public override bool Equals(object? obj) => obj is EquatableMap<TValue> other && Equals(other);

    public override int GetHashCode() => ValueEquality.DictionaryHash(this);

    public IEnumerator<KeyValuePair<string, TValue>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"{{{string.Join(", ", _entries.Select(e => $"{e.Key}: {e.Value}"))}}}";

    public static implicit operator EquatableMap<TValue>(Dictionary<string, TValue> entries) => new(entries);
}
