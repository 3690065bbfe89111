namespace AtymSecure.OtaStore;

/// <summary>
/// A direct assignment: <paramref name="DeviceId"/> should run <paramref name="ReleaseId"/> for the release's container.
/// One per (device, container); assigning another release of the container replaces it. Rollouts (issue 14) will
/// write the same records wave by wave.
/// </summary>
/// <param name="AssignedBy">Who assigned it, as the audit log names the operator.</param>
public sealed record Assignment(string DeviceId, string Container, string ReleaseId, DateTimeOffset AssignedAt, string AssignedBy);
