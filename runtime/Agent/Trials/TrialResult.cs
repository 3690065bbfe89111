using AtymSecure.Runtime.Health;

namespace AtymSecure.DeviceAgent.Trials;

/// <summary>The end of one trial as the device host saw it.</summary>
public sealed record TrialResult(string Container, string TrialVersion, TrialVerdict Verdict, string Reason, string? RunningVersion);
