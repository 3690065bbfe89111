using System.Text.Json;
using System.Text.Json.Serialization;
using AtymSecure.OtaRollouts.Engine;
using AtymSecure.Primitives;

namespace AtymSecure.OtaRollouts.Service;

/// <summary><c>POST /api/v1/deployments/{id}/rollback</c>'s optional body: the release to roll back to (default: the previous version's).</summary>
public sealed record RollbackRequest(string? ReleaseId)
{
    public const int MaxBytes = 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    public static RollbackRequest Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var r = JsonSerializer.Deserialize<RollbackRequest>(utf8, Json) ?? new RollbackRequest((string?)null);
            if (r.ReleaseId is not null && !DeploymentRequest.IdGrammar().IsMatch(r.ReleaseId))
                throw new ProblemException("rollback refused", [new Problem(RolloutProblemCodes.RequestInvalid, "$.releaseId", "not a release id")]);
            return r;
        }
        catch (JsonException e)
        {
            throw new ProblemException("rollback refused", [new Problem(RolloutProblemCodes.RequestInvalid, e.Path ?? "$", e.Message)], e);
        }
    }
}
