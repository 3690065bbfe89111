using System.Text.Json;
using AtymSecure.OtaContracts;
using AtymSecure.OtaReleases.Import;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaReleases.Assignments;

/// <summary>
/// Direct assignments (issue 12 §3: release → device; rollouts are issue 14): checks that the release and the device
/// exist, that a group-scoped operator covers the device, and that the release has an image for the device's class;
/// stores it (replacing the device's assignment for that container) and appends the change, before and after, to the
/// audit log.
/// </summary>
public sealed class AssignmentService(IAssignmentStore assignments, IReleaseStore releases, IDeviceStore devices, IAuditLog audit, TimeProvider time)
{
    public const string AuditAction = "assignment.set";

    public async Task<Assignment> AssignAsync(string releaseId, string deviceId, OperatorIdentity actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var release = await releases.GetAsync(releaseId, ct).ConfigureAwait(false)
            ?? throw new OtaProblemException(404, ReleaseProblemCodes.ReleaseNotFound, "$.releaseId", $"no release '{releaseId}'");
        var device = devices.Find(deviceId);
        // A scoped operator learns nothing about devices outside its groups: the same answer as an unknown device.
        if (device is null || !actor.Covers(device.Groups))
            throw new OtaProblemException(404, ReleaseProblemCodes.DeviceNotFound, "$.deviceId", $"no device '{deviceId}'");
        if (release.ImageFor(device.DeviceClass) is null)
            throw new OtaProblemException(409, ReleaseProblemCodes.ClassNotInRelease, "$.releaseId",
                $"{release.Container} {release.Version} ({release.Id}) has no image for {device.Id}'s class {device.DeviceClass}" +
                (release.Failures.FirstOrDefault(f => f.DeviceClass == device.DeviceClass) is { } failure ? $": {failure.Message}" : ""));
        var assignment = new Assignment(device.Id, release.Container, release.Id, time.GetUtcNow(), $"{actor.TokenId} {actor.Label}".Trim());
        var before = await assignments.SetAsync(assignment, ct).ConfigureAwait(false);
        audit.Append(new AuditEntry(0, assignment.AssignedAt, actor.TokenId, actor.Label, AuditAction, $"device/{device.Id}/{release.Container}",
            before is null ? null : JsonSerializer.Serialize(before, ReleaseJson.Options), JsonSerializer.Serialize(assignment, ReleaseJson.Options)));
        return assignment;
    }
}
