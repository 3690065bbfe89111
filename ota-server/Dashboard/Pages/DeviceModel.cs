using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaRollouts.Engine;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaDashboard.Pages;

/// <summary>The device page: the record, its last report (slots, counters, refusal), the install and trial history of its
/// recent reports, and the deployments it is in.</summary>
public sealed record DeviceModel(DeviceRecord Device, VersionReport? Last, DeviceReport? LastStored, IReadOnlyList<HistoryLine> History,
    IReadOnlyList<DeviceDeploymentLine> Deployments)
{
    /// <param name="recent">The device's reports, newest first.</param>
    public static DeviceModel Of(DeviceRecord device, IReadOnlyList<DeviceReport> recent, IReadOnlyList<DeviceDeploymentLine> deployments)
    {
        ArgumentNullException.ThrowIfNull(recent);
        var parsed = recent.Select(r => (Stored: r, Report: DeviceReports.Parse(r))).Where(p => p.Report is not null).ToList();
        return new DeviceModel(device, parsed.FirstOrDefault().Report, recent.FirstOrDefault(), HistoryLine.Of(parsed!), deployments);
    }
}

/// <summary>One install or trial outcome a report told first (reports repeat the last one until the next).</summary>
public sealed record HistoryLine(DateTimeOffset At, string Container, string Kind, string? Version, string Outcome, string? Reason)
{
    /// <param name="reports">Newest first.</param>
    public static IReadOnlyList<HistoryLine> Of(IReadOnlyList<(DeviceReport Stored, VersionReport Report)> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var lines = new List<HistoryLine>();
        var seen = new HashSet<(string, string, string?, string, string?)>();
        // Oldest first, so each outcome is dated by the first report that carried it.
        foreach (var (stored, report) in reports.Reverse())
            foreach (var c in report.Containers)
            {
                if (c.LastInstall is { } i) Add(new HistoryLine(stored.ReceivedAt, c.Name, "install", c.Trial?.Version ?? c.Confirmed?.Version, i.Result, i.Detail ?? i.Code));
                if (c.LastTrial is { } t) Add(new HistoryLine(stored.ReceivedAt, c.Name, "trial", t.Version, t.Verdict, t.Reason));
            }
        lines.Reverse();
        return lines;

        void Add(HistoryLine line)
        {
            if (seen.Add((line.Container, line.Kind, line.Version, line.Outcome, line.Reason))) lines.Add(line);
        }
    }
}

/// <summary>The device in one deployment: which, of what, its wave and state, and why it failed.</summary>
public sealed record DeviceDeploymentLine(string DeploymentId, string Container, string Version, string DeploymentStatus, string Wave, string State,
    string? Failure, string? Reason)
{
    public static DeviceDeploymentLine Of(DeploymentState deployment, DeviceRollout device)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(device);
        static string Name<T>(T value) where T : struct, Enum => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
        return new DeviceDeploymentLine(deployment.Id, deployment.Spec.Container, deployment.Spec.Version, Name(deployment.Status),
            RolloutText.WaveName(deployment, device.Wave), Name(device.State), device.Failure is { } f ? RolloutText.Kind(f) : null, device.Reason);
    }
}
