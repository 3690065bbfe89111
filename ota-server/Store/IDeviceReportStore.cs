namespace AtymSecure.OtaStore;

/// <summary>Version reports, append-only per device.</summary>
public interface IDeviceReportStore
{
    /// <summary>Appends <paramref name="report"/> with the next sequence of its device (the returned record), unless its nonce
    /// was seen before for that device: then null and nothing is stored.</summary>
    DeviceReport? TryAppend(DeviceReport report);

    DeviceReport? Latest(string deviceId);

    /// <summary>The sequence of the device's latest report (0: none), without reading it: how a replica learns that a peer
    /// stored a newer one.</summary>
    long LatestSequence(string deviceId);

    /// <summary>The device's reports, newest first, at most <paramref name="limit"/>.</summary>
    IReadOnlyList<DeviceReport> Recent(string deviceId, int limit);
}
