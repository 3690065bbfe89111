using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AtymSecure.Formats.DeviceProtocol.Ddi;

/// <summary>
/// Reads and writes a DDI enum as exactly its hawkBit wire name (the <see cref="JsonStringEnumMemberNameAttribute"/> on
/// each member). Unlike System.Text.Json's string enum converter it refuses numbers and other casings, so one spelling
/// is one value, and its refusal names the allowed values.
/// </summary>
public sealed class DdiEnumJsonConverter<TEnum> : JsonConverter<TEnum> where TEnum : struct, Enum
{
    private static readonly Dictionary<string, TEnum> ByName = Enum.GetValues<TEnum>().ToDictionary(NameOf, v => v, StringComparer.Ordinal);

    /// <summary>The hawkBit wire name of <paramref name="value"/>.</summary>
    public static string NameOf(TEnum value) =>
        typeof(TEnum).GetField(value.ToString(), BindingFlags.Public | BindingFlags.Static)?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
        ?? throw new ArgumentOutOfRangeException(nameof(value), value, "not a member of " + typeof(TEnum).Name);

    /// <summary>Every wire name, for messages.</summary>
    public static string Allowed => string.Join(", ", ByName.Keys);

    public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException($"expected one of {Allowed} as a string");
        var text = reader.GetString()!;
        return ByName.TryGetValue(text, out var value) ? value : throw new JsonException($"'{Shorten(text)}' is not one of {Allowed}");
    }

    public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) => writer.WriteStringValue(NameOf(value));

    private static string Shorten(string text) => text.Length <= 32 ? text : text[..32] + "…";
}
