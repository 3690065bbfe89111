using System.Text.Json;

namespace AtymSecure.OtaServer.Auth;

/// <summary>The before/after snapshots of audit entries: camelCase JSON of the API view of the changed thing.</summary>
internal static class AuditJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Of<T>(T value) => JsonSerializer.Serialize(value, Options);
}
