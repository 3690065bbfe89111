namespace AtymSecure.DeviceAgent.Http;

/// <summary>How the HTTP update source paces itself (issue 12 §5): poll jitter, capped exponential backoff, report cadence.</summary>
public sealed record HttpUpdateOptions
{
    /// <summary>A fleet enrolment token (<c>--enroll-token</c>); without one the device waits in <c>pending</c> for an operator.</summary>
    public string? EnrollmentToken { get; init; }

    /// <summary>Until the server names an interval (every poll answer does).</summary>
    public TimeSpan InitialPollInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Each wait is the interval × (1 ± this), so a fleet that powered on together spreads out.</summary>
    public double PollJitter { get; init; } = 0.1;

    /// <summary>First backoff after a failure; doubles per consecutive failure up to <see cref="MaxBackoff"/>, each wait a uniform pick in the upper half of that (<see cref="PollPacing"/>).</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A report goes out at least this often even when nothing happened (docs/device-protocol.md).</summary>
    public TimeSpan ReportInterval { get; init; } = TimeSpan.FromDays(1);

    /// <summary>
    /// A cycle refused at a metadata step (1-10) with a director document the server has not changed since is run again
    /// this long after the refusal (the image repository may have moved on: re-signed files, a rotated root). Reported
    /// once, not per retry. So is a download refused for one chunk's hash (<c>chunk-mismatch</c>: resumed after the last
    /// good chunk). A bundle refused at download for its signed length or hash waits for a new director document.
    /// </summary>
    public TimeSpan RefusalRetryInterval { get; init; } = TimeSpan.FromMinutes(10);

    public DownloadOptions Download { get; init; } = DownloadOptions.Default;

    /// <summary>The jitter's random source (null: <see cref="Random.Shared"/>); tests pin it to check the spread.</summary>
    public Random? Random { get; init; }
}
