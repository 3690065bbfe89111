using AtymSecure.Primitives;
using System.Buffers;
using System.Text;

namespace AtymSecure.Formats.UpdateMetadata.Json;

/// <summary>
/// A JSON value of the kinds canonical JSON (OLPC, as TUF uses it) can hold: objects, arrays, strings, integers,
/// booleans and null, never floats. Immutable with value equality, so parsed metadata compares by content. Every
/// value here can be written canonically: strings hold valid UTF-16 (no lone surrogates) and integers stay within
/// ±(2^53 − 1), the range tuf-js (JavaScript numbers) reads exactly.
/// </summary>
public abstract record CanonicalJsonValue
{
    /// <summary>JavaScript's Number.MAX_SAFE_INTEGER: larger integers would be rounded by tuf-js and sign other bytes.</summary>
    public const long MaxSafeInteger = (1L << 53) - 1;

    public static implicit operator CanonicalJsonValue(string value) => new CanonicalJsonString(value);

    public static implicit operator CanonicalJsonValue(long value) => new CanonicalJsonInteger(value);

    public static implicit operator CanonicalJsonValue(bool value) => new CanonicalJsonBoolean(value);

    /// <summary>The kind name used in error messages ("object", "string", ...).</summary>
    public abstract string Kind { get; }
}

public sealed record CanonicalJsonString : CanonicalJsonValue
{
    public CanonicalJsonString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!IsWellFormed(value)) throw new ArgumentException("string holds a lone UTF-16 surrogate, which has no UTF-8 form", nameof(value));
        Value = value;
    }

    public string Value { get; }

    public override string Kind => "string";

    public override string ToString() => Value;

    internal static bool IsWellFormed(string value) => !value.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF') || AllRunesValid(value);

    private static bool AllRunesValid(string value)
    {
        var span = value.AsSpan();
        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(span, out _, out var used) != OperationStatus.Done) return false;
            span = span[used..];
        }
        return true;
    }
}

public sealed record CanonicalJsonInteger : CanonicalJsonValue
{
    public CanonicalJsonInteger(long value)
    {
        if (value is > MaxSafeInteger or < -MaxSafeInteger)
            throw new ArgumentOutOfRangeException(nameof(value), value, $"outside ±{MaxSafeInteger}, which tuf-js cannot read exactly");
        Value = value;
    }

    public long Value { get; }

    public override string Kind => "integer";

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

public sealed record CanonicalJsonBoolean(bool Value) : CanonicalJsonValue
{
    public override string Kind => "boolean";

    public override string ToString() => Value ? "true" : "false";
}

public sealed record CanonicalJsonNull : CanonicalJsonValue
{
    public static readonly CanonicalJsonNull Instance = new();

    private CanonicalJsonNull()
    {
    }

    public override string Kind => "null";

    public override string ToString() => "null";
}

public sealed record CanonicalJsonArray(EquatableList<CanonicalJsonValue> Items) : CanonicalJsonValue
{
    public CanonicalJsonArray(IEnumerable<CanonicalJsonValue> items)
        : this(new EquatableList<CanonicalJsonValue>(items))
    {
    }

    public override string Kind => "array";

    public static CanonicalJsonArray Of(IEnumerable<string> items) => new(items.Select(i => (CanonicalJsonValue)i));
}

public sealed record CanonicalJsonObject(EquatableMap<CanonicalJsonValue> Members) : CanonicalJsonValue
{
    public static readonly CanonicalJsonObject EmptyObject = new(EquatableMap<CanonicalJsonValue>.Empty);

    public override string Kind => "object";

    /// <summary>An object from (name, value) pairs; a null value leaves the member out (optional fields).</summary>
    public static CanonicalJsonObject Of(params (string Name, CanonicalJsonValue? Value)[] members)
    {
        var present = members.Where(m => m.Value is not null).Select(m => KeyValuePair.Create(m.Name, m.Value!)).ToList();
        if (present.Select(m => m.Key).Distinct(StringComparer.Ordinal).Count() != present.Count)
            throw new ArgumentException("duplicate member name", nameof(members));
        return new CanonicalJsonObject(new EquatableMap<CanonicalJsonValue>(present));
    }

    public static CanonicalJsonObject Of<TValue>(IEnumerable<KeyValuePair<string, TValue>> members, Func<TValue, CanonicalJsonValue> convert) =>
        new(new EquatableMap<CanonicalJsonValue>(members.Select(m => KeyValuePair.Create(m.Key, convert(m.Value)))));
}
