using System.Text.Json;
using System.Text.Json.Serialization;
using AtymSecure.OtaContracts;
using Microsoft.AspNetCore.Http;

namespace AtymSecure.OtaServer.Http;

/// <summary>
/// Reads operator API bodies: JSON under a byte cap (<see cref="RequestBody"/>), strict (unknown members, missing
/// required members, wrong types, trailing content and duplicate-free numbers as System.Text.Json checks them), and
/// every failure a 400 problem naming the JSON path. Validation of values is the caller's (it knows the rules).
/// </summary>
public static class OperatorJson
{
    public const int DefaultMaxBytes = 64 * 1024;

    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        AllowDuplicateProperties = false,
        NumberHandling = JsonNumberHandling.Strict,
        MaxDepth = 16,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false) },
    };

    public static async Task<T> ReadAsync<T>(HttpRequest request, int maxBytes = DefaultMaxBytes)
    {
        var bytes = await RequestBody.ReadJsonAsync(request, maxBytes).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, Options)
                ?? throw new OtaProblemException(400, OtaProblemCodes.MalformedJson, "$", "the body is null, expected an object");
        }
        catch (JsonException e)
        {
            var unknown = e.Message.Contains("could not be mapped", StringComparison.Ordinal);
            throw new OtaProblemException(400, unknown ? OtaProblemCodes.UnknownField : OtaProblemCodes.MalformedJson, e.Path ?? "$",
                FirstSentence(e.Message));
        }
    }

    /// <summary>A 400 for a value that parsed but breaks a rule.</summary>
    public static OtaProblemException Invalid(string path, string message) => new(400, OtaProblemCodes.InvalidField, path, message);

    // System.Text.Json messages end with "Path: $.x | LineNumber: …"; the path is reported separately.
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
