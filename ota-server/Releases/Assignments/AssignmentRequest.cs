using System.Text.Json;
using System.Text.RegularExpressions;
using AtymSecure.OtaReleases.Import;
using AtymSecure.OtaContracts;
using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Assignments;

/// <summary><c>POST /api/v1/assignments</c> and <c>atym ota assign RELEASE --device ID</c>.</summary>
public sealed partial record AssignmentRequest(string ReleaseId, string DeviceId)
{
    public const int MaxBytes = 1024;

    public string ToJson() => JsonSerializer.Serialize(this, RequestJson.Strict);

    /// <exception cref="ProblemException">Not JSON, unknown fields, or an id breaking its grammar.</exception>
    public static AssignmentRequest Parse(ReadOnlySpan<byte> utf8)
    {
        var request = RequestJson.Deserialize<AssignmentRequest>(utf8, RequestJson.Strict, "assignment refused", ReleaseProblemCodes.RequestInvalid);
        var problems = new List<Problem>();
        if (request is null) problems.Add(new Problem(ReleaseProblemCodes.RequestInvalid, "$", "expected a JSON object"));
        else
        {
            if (request.ReleaseId is null || !ReleaseIdGrammar().IsMatch(request.ReleaseId))
                problems.Add(new Problem(ReleaseProblemCodes.RequestInvalid, "$.releaseId", "expected rel- and 16 lower-case hex digits"));
            if (request.DeviceId is null || !DeviceIdGrammar().IsMatch(request.DeviceId))
                problems.Add(new Problem(ReleaseProblemCodes.DeviceIdInvalid, "$.deviceId", "expected 1-128 characters of [A-Za-z0-9._:-]"));
        }
        return problems.Count > 0 ? throw new ProblemException("assignment refused", problems) : request!;
    }

    [GeneratedRegex("^rel-[0-9a-f]{16}$", RegexOptions.CultureInvariant)]
    internal static partial Regex ReleaseIdGrammar();

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex DeviceIdGrammar();
}
