using System.Text.Json;
using System.Text.Json.Serialization;
using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases;

/// <summary>How releases, jobs and assignments are written on the API and in the audit log: camelCase, enums kebab-case.</summary>
public static class ReleaseJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower), new EquatableCollectionJsonConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
