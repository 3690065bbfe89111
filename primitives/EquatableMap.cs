using System.Collections;
using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace AtymSecure.Primitives;

/// <summary>
/// An immutable string-keyed map that compares by its entries (<see cref="ValueEquality.Dictionaries"/>), so a record
/// holding one keeps the compiler's generated value equality. Keys are held in ordinal order, for determinism: canonical
/// JSON writers sort keys themselves, and System.Text.Json writes this map's entries in that order
/// (<see cref="EquatableCollectionJsonConverter"/>), which is what a canonical document wants anyway.
/// </summary>
[JsonConverter(typeof(EquatableCollectionJsonConverter))]
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
