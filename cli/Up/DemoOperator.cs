using AtymSecure.Cli.Ota;

namespace AtymSecure.Cli.Up;

/// <summary>
/// What <c>atym up</c> does as an operator, over the OTA server's operator API with the admin token (the calls
/// <c>atym ota token create --enrollment</c>, <c>atym ota release</c> and <c>atym ota assign</c> make): an enrolment token
/// for the fleet, release imports (an existing release of the same container version is reused, so a second run adds
/// none), and the delivery of a release to a set of devices. Delivery is one call, <see cref="DeliverAsync"/>: direct
/// assignments today; a deployment with waves replaces its body when the rollout API is there.
/// </summary>
internal sealed class DemoOperator(OtaApiClient api)
{
    public async Task<string> EnrollmentTokenAsync(UpState state, CancellationToken ct)
    {
        if (state.EnrollmentToken is { } existing) return existing;
        var created = await api.SendAsync(HttpMethod.Post, "api/v1/enrollment-tokens", new { label = "atym up fleet", uses = 10_000 }, ct).ConfigureAwait(false);
        return state.EnrollmentToken = created.GetProperty("token").GetString()!;
    }

    /// <summary>The release of <paramref name="reference"/> (imported now and compiled for <paramref name="deviceClasses"/> when new).</summary>
    public async Task<string> ReleaseAsync(string reference, string version, IReadOnlyList<string> deviceClasses, CancellationToken ct)
    {
        var listed = await api.SendAsync(HttpMethod.Get, "api/v1/releases?container=sensor-filter", null, ct).ConfigureAwait(false);
        foreach (var release in listed.GetProperty("releases").EnumerateArray())
        {
            if (release.GetProperty("version").GetString() == version) return release.GetProperty("id").GetString()!;
        }
        var job = await api.SendAsync(HttpMethod.Post, "api/v1/releases", new { reference, deviceClasses }, ct).ConfigureAwait(false);
        job = await api.FollowJobAsync(job.GetProperty("id").GetString()!, TimeSpan.FromMinutes(15), TimeSpan.FromMilliseconds(300), null, ct).ConfigureAwait(false);
        return job.GetProperty("state").GetString() == "succeeded" ? job.GetProperty("resultId").GetString()!
            : throw new InvalidOperationException($"release of {reference} failed: {OtaApiClient.JobError(job)}");
    }

    /// <summary>Offers <paramref name="releaseId"/> to <paramref name="deviceIds"/> (they install it at their next poll).</summary>
    public async Task DeliverAsync(string releaseId, IEnumerable<string> deviceIds, CancellationToken ct)
    {
        foreach (var device in deviceIds)
            await api.SendAsync(HttpMethod.Post, "api/v1/assignments", new { releaseId, deviceId = device }, ct).ConfigureAwait(false);
    }
}
