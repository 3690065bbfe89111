using AtymSecure.Runtime.Health;

namespace AtymSecure.DeviceAgent.Status;

/// <summary>One decided trial: the version tried, its verdict and why, and what runs afterwards.</summary>
public sealed record TrialStatus(DateTimeOffset At, string Container, string Version, TrialVerdict Verdict, string Reason, string? RunningVersion);
