using System.Reflection;

namespace AtymSecure.TestSupport;

/// <summary>
/// Finds the members a record's hand-written value equality forgets: for each settable public property, a copy of
/// <c>sample</c> with just that property taken from <c>different</c> must no longer equal <c>sample</c>. Records
/// that hold collections override Equals (primitives' ValueEquality); a member added later and left out of the
/// override shows up here.
/// </summary>
public static class ValueEqualityProbe
{
    /// <summary>Names of the properties whose value does not change equality (empty when every one counts).</summary>
    public static IReadOnlyList<string> PropertiesIgnoredByEquals<T>(T sample, T different) where T : class
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(different);
        var clone = typeof(T).GetMethod("<Clone>$") ?? throw new ArgumentException($"{typeof(T).Name} is not a record", nameof(sample));
        var ignored = new List<string>();
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is null || property.GetIndexParameters().Length > 0) continue;
            var copy = (T)clone.Invoke(sample, null)!;
            property.SetValue(copy, property.GetValue(different));
            if (copy.Equals(sample)) ignored.Add(property.Name);
        }
        return ignored;
    }
}
