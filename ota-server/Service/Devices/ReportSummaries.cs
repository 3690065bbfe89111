using System.Collections.Concurrent;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaServer.Api;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaServer.Devices;

/// <summary>
/// The last stored version report of each device, read once from <see cref="IDeviceReportStore"/> and then kept by
/// this process's own appends (<see cref="Remember"/>): the acknowledged nonce the poll answer and the director need,
/// and the summary the inventory shows. The stored payload was verified before it was stored, so reading it back
/// only parses. With replicas (<see cref="StoreSharing.OtherProcessesWrite"/>) a peer may have stored a newer report: each
/// use compares the kept sequence with the store's latest (one primary-key read) and reads the report again when it moved,
/// so the nonce a poll acknowledges never goes back to an older one when a device moves between replicas.
/// </summary>
public sealed class ReportSummaries(IDeviceReportStore reports, StoreSharing? sharing = null)
{
    private readonly bool _shared = sharing?.OtherProcessesWrite ?? false;

    private readonly ConcurrentDictionary<string, LastReport?> _latest = new(StringComparer.Ordinal);

    public ReportSummary? Latest(string deviceId) => Find(deviceId)?.Summary;

    /// <summary>Everything kept of the device's last report, read once: a caller that needs several parts (the poll: nonce,
    /// confirmed images, rejected versions) asks here, so a shared store is checked once and the parts come from one report.</summary>
    public LastReport? Last(string deviceId) => Find(deviceId);

    /// <summary>Container → <c>sha256:hex</c> of the confirmed slot image, per the last report (none reported: empty): what the
    /// desired-state planner cuts deltas from.</summary>
    public EquatableMap<string> ConfirmedImages(string deviceId) => Find(deviceId)?.ConfirmedImages ?? EquatableMap<string>.Empty;

    /// <summary>Container → the version the last report says failed its trial and is neither confirmed nor on trial (the device
    /// reverted it): what the desired-state planner withholds.</summary>
    public EquatableMap<string> RejectedVersions(string deviceId) => Find(deviceId)?.RejectedVersions ?? EquatableMap<string>.Empty;

    public void Remember(DeviceReport stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        _latest[stored.DeviceId] = Summarize(stored);
    }

    private LastReport? Find(string deviceId)
    {
        var kept = _latest.GetOrAdd(deviceId, Read);
        if (!_shared || reports.LatestSequence(deviceId) == (kept?.Summary.Sequence ?? 0)) return kept;
        var fresh = Read(deviceId);
        // Of two concurrent refreshes the higher sequence stays.
        return _latest.AddOrUpdate(deviceId, fresh, (_, held) => (held?.Summary.Sequence ?? 0) > (fresh?.Summary.Sequence ?? 0) ? held : fresh);
    }

    private LastReport? Read(string deviceId) => reports.Latest(deviceId) is { } r ? Summarize(r) : null;

    private static LastReport Summarize(DeviceReport stored)
    {
        var report = VersionReport.Parse(ProtocolJson.BytesOf(stored.Payload));
        var summary = new ReportSummary(stored.Sequence, stored.ReceivedAt, stored.Nonce,
            report.Containers.Select(c => new ContainerSummary(c.Name, c.Confirmed?.Version, c.Trial?.Version, c.LastTrial?.Verdict, c.LastInstall?.Result)).ToList(),
            report.LastRefusal is { } r ? $"{r.Code} (step {r.Step})" : null, report.BootCount);
        var confirmed = new EquatableMap<string>(report.Containers.Where(c => c.Confirmed is not null)
            .Select(c => KeyValuePair.Create(c.Name, c.Confirmed!.ImageDigest)));
        var rejected = new EquatableMap<string>(report.Containers
            .Where(c => c.LastTrial is { Verdict: TrialReport.Failed } t && c.Confirmed?.Version != t.Version && c.Trial?.Version != t.Version)
            .Select(c => KeyValuePair.Create(c.Name, c.LastTrial!.Version)));
        return new LastReport(summary, confirmed, rejected);
    }
}

/// <summary>What <see cref="ReportSummaries"/> keeps of a device's last stored report.</summary>
/// <param name="ConfirmedImages">Container → <c>sha256:hex</c> of the confirmed slot image (<see cref="ReportSummaries.ConfirmedImages"/>).</param>
/// <param name="RejectedVersions">Container → the version that failed its trial and was reverted (<see cref="ReportSummaries.RejectedVersions"/>).</param>
public sealed record LastReport(ReportSummary Summary, EquatableMap<string> ConfirmedImages, EquatableMap<string> RejectedVersions);
