using System.Text.Json;
using System.Text.Json.Serialization;

namespace AtymSecure.OtaStore;

/// <summary>
/// The one JSON form of the stored records, shared by the LiteDB store (a text field) and the PostgreSQL store (a json
/// column), so both keep the same document and a record reads back equal from either.
/// </summary>
internal static class StoreJson
{
    internal static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    internal static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    internal static T Deserialize<T>(string json)
        where T : class =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new InvalidDataException("empty stored record");
}
