using System.Collections;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;

namespace AtymSecure.Primitives;

/// <summary>
/// An immutable list that compares by its items (<see cref="ValueEquality.Lists"/>), so a record holding one keeps
/// the compiler's generated value equality and needs no Equals override of its own. Order matters: TUF delegation
/// order and signature order are meaningful. System.Text.Json reads and writes it as a plain JSON array
/// (<see cref="EquatableCollectionJsonConverter"/>), so records deserialised from JSON compare by value too.
/// </summary>
[CollectionBuilder(typeof(EquatableList), nameof(EquatableList.Create))]
[JsonConverter(typeof(EquatableCollectionJsonConverter))]
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
