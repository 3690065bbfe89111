using System.Text.Json;
using System.Text.Json.Serialization;
using AtymSecure.Primitives;

namespace AtymSecure.OtaContracts;

/// <summary>
/// Reads an operator request body (already capped by <see cref="RequestBody"/>) into its record: JSON that does not
/// parse, or names a member the record lacks, is one <see cref="ProblemException"/> with the refusal's title and the
/// JSON path that was wrong (answered 400 as problem+json). One reader for every request type of the host's
/// libraries, so each refuses bad JSON the same way; the checks of the values stay with each type.
/// </summary>
public static class RequestJson
{
    /// <summary>camelCase web defaults with unknown members refused: the options of a plain request record.</summary>
    public static JsonSerializerOptions Strict { get; } = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    /// <returns>The record, or null for a JSON <c>null</c> body (each type says what that means for it).</returns>
    /// <exception cref="ProblemException">Not JSON, a wrong type, or an unknown member: <paramref name="code"/> at the path.</exception>
    public static T? Deserialize<T>(ReadOnlySpan<byte> utf8, JsonSerializerOptions options, string refusal, string code)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(utf8, options);
        }
        catch (JsonException e)
        {
            throw new ProblemException(refusal, [new Problem(code, e.Path ?? "$", e.Message)], e);
        }
    }
}
