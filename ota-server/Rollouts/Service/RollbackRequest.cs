using AtymSecure.OtaContracts;
using AtymSecure.OtaRollouts.Engine;
using AtymSecure.Primitives;

namespace AtymSecure.OtaRollouts.Service;

/// <summary><c>POST /api/v1/deployments/{id}/rollback</c>'s optional body: the release to roll back to (default: the previous version's).</summary>
public sealed record RollbackRequest(string? ReleaseId)
{
    public const int MaxBytes = 1024;

    public static RollbackRequest Parse(ReadOnlySpan<byte> utf8)
    {
        var r = RequestJson.Deserialize<RollbackRequest>(utf8, RequestJson.Strict, "rollback refused", RolloutProblemCodes.RequestInvalid)
            ?? new RollbackRequest((string?)null);
        if (r.ReleaseId is not null && !DeploymentRequest.IdGrammar().IsMatch(r.ReleaseId))
            throw new ProblemException("rollback refused", [new Problem(RolloutProblemCodes.RequestInvalid, "$.releaseId", "not a release id")]);
        return r;
    }
}
