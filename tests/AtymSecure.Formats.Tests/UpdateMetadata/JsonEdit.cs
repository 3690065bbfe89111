using AtymSecure.Primitives;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Json;

namespace AtymSecure.Formats.Tests.UpdateMetadata;

/// <summary>Edits a JSON tree at a member path, for negative tests: a null value removes the member.</summary>
internal static class JsonEdit
{
    public static CanonicalJsonObject Set(CanonicalJsonObject root, string dottedPath, CanonicalJsonValue? value) =>
        Set(root, dottedPath.Split('|'), 0, value);

    private static CanonicalJsonObject Set(CanonicalJsonObject obj, string[] path, int at, CanonicalJsonValue? value)
    {
        var name = path[at];
        var members = obj.Members.ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);
        if (at == path.Length - 1)
        {
            if (value is null) members.Remove(name);
            else members[name] = value;
        }
        else
        {
            members[name] = members[name] switch
            {
                CanonicalJsonObject inner => Set(inner, path, at + 1, value),
                CanonicalJsonArray array when int.TryParse(path[at + 1], out var index) => SetInArray(array, index, path, at + 1, value),
                var other => throw new ArgumentException($"{name} is a {other.Kind}"),
            };
        }
        return new CanonicalJsonObject(new EquatableMap<CanonicalJsonValue>(members));
    }

    private static CanonicalJsonArray SetInArray(CanonicalJsonArray array, int index, string[] path, int at, CanonicalJsonValue? value)
    {
        var items = array.Items.ToList();
        if (at == path.Length - 1) items[index] = value!;
        else items[index] = Set((CanonicalJsonObject)items[index], path, at + 1, value);
        return new CanonicalJsonArray(items);
    }
}
