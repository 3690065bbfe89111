namespace AtymSecure.DeviceAgent.Http;

/// <summary>
/// Step 11's rate floor (docs/trust-model.md §3): a download that moves fewer than <see cref="MinBytesPerSecond"/> on
/// average over <see cref="StallWindow"/> — or not at all for that long — is aborted as <c>download-stalled</c> and
/// retried later, resuming from its partial file. Tests shrink the window.
/// </summary>
public sealed record DownloadOptions
{
    public static readonly DownloadOptions Default = new();

    public long MinBytesPerSecond { get; init; } = 1024;

    public TimeSpan StallWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The partial file is flushed to disk at least this often (bytes), so a power cut loses at most this much.</summary>
    public long SyncEveryBytes { get; init; } = 1024 * 1024;
}
