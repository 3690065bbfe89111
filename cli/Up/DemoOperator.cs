using System.Text.Json;
using AtymSecure.Cli.Ota;
using AtymSecure.OtaRollouts.Service;

namespace AtymSecure.Cli.Up;

/// <summary>
/// What <c>atym up</c> does as an operator, over the OTA server's operator API with the admin token (the calls
/// <c>atym ota token create --enrollment</c>, <c>atym ota release</c>, <c>atym ota deploy</c>, <c>atym ota status</c>
/// and <c>atym ota assign</c> make): an enrolment token for the fleet (its devices join <see cref="DemoPlan.Group"/>),
/// release imports (an existing release of the same container version is reused, so a second run adds none),
/// deployments and the lookup of an earlier one (so a second run creates none), the group's enrolled devices, and
/// direct assignments (<see cref="DeliverAsync"/>: the fleet's own tests deliver with it; the demo deploys).
/// </summary>
internal sealed class DemoOperator(OtaApiClient api)
{
    public async Task<string> EnrollmentTokenAsync(UpState state, CancellationToken ct)
    {
        if (state.EnrollmentToken is { } existing) return existing;
        var created = await api.SendAsync(HttpMethod.Post, "api/v1/enrollment-tokens", new { label = "atym up fleet", uses = 10_000, groups = new[] { DemoPlan.Group } }, ct).ConfigureAwait(false);
        return state.EnrollmentToken = created.GetProperty("token").GetString()!;
    }

    /// <summary>The release of <paramref name="reference"/> (imported now and compiled for <paramref name="deviceClasses"/> when new).</summary>
    public async Task<string> ReleaseAsync(string reference, string version, IReadOnlyList<string> deviceClasses, CancellationToken ct)
    {
        var listed = await api.SendAsync(HttpMethod.Get, $"api/v1/releases?container={DemoPlan.Container}", null, ct).ConfigureAwait(false);
        foreach (var release in listed.GetProperty("releases").EnumerateArray())
        {
            if (release.GetProperty("version").GetString() == version) return release.GetProperty("id").GetString()!;
        }
        var job = await api.SendAsync(HttpMethod.Post, "api/v1/releases", new { reference, deviceClasses }, ct).ConfigureAwait(false);
        job = await api.FollowJobAsync(job.GetProperty("id").GetString()!, TimeSpan.FromMinutes(15), TimeSpan.FromMilliseconds(300), null, ct).ConfigureAwait(false);
        return job.GetProperty("state").GetString() == "succeeded" ? job.GetProperty("resultId").GetString()!
            : throw new InvalidOperationException($"release of {reference} failed: {OtaApiClient.JobError(job)}");
    }

    /// <summary>Active devices in <see cref="DemoPlan.Group"/> (the fleet's enrolled devices, as the server sees them).</summary>
    public async Task<int> EnrolledAsync(CancellationToken ct)
    {
        var devices = await api.SendAsync(HttpMethod.Get, $"api/v1/devices?group={DemoPlan.Group}&limit=1000", null, ct).ConfigureAwait(false);
        return devices.EnumerateArray().Count(d => d.GetProperty("state").GetString() == "active");
    }

    /// <summary><c>POST /api/v1/deployments</c>: the deployment as created.</summary>
    public Task<JsonElement> DeployAsync(DeploymentRequest request, CancellationToken ct) =>
        api.SendAsync(HttpMethod.Post, "api/v1/deployments", request, ct);

    /// <summary>
    /// The newest deployment of <paramref name="container"/> <paramref name="version"/> that is not a rollback (a rollback
    /// deploys an earlier version's code on the server's initiative, not a step of the story); null when there is none.
    /// </summary>
    public async Task<JsonElement?> FindDeploymentAsync(string container, string version, CancellationToken ct)
    {
        var listed = await api.SendAsync(HttpMethod.Get, "api/v1/deployments", null, ct).ConfigureAwait(false);
        return listed.GetProperty("deployments").EnumerateArray()
            .Where(d => d.GetProperty("container").GetString() == container && d.GetProperty("version").GetString() == version)
            .Where(d => !d.TryGetProperty("rollbackOf", out var of) || of.ValueKind != JsonValueKind.String)
            .OrderBy(d => d.GetProperty("createdAt").GetDateTimeOffset())
            .Select(d => (JsonElement?)d)
            .LastOrDefault();
    }

    /// <summary>Offers <paramref name="releaseId"/> to <paramref name="deviceIds"/> (they install it at their next poll).</summary>
    public async Task DeliverAsync(string releaseId, IEnumerable<string> deviceIds, CancellationToken ct)
    {
        foreach (var device in deviceIds)
            await api.SendAsync(HttpMethod.Post, "api/v1/assignments", new { releaseId, deviceId = device }, ct).ConfigureAwait(false);
    }
}
