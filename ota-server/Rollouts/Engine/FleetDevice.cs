using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.Primitives;

namespace AtymSecure.OtaRollouts.Engine;

/// <summary>
/// A device as the rollout engine sees it when choosing targets: id, class, groups, tags, and its latest
/// <see cref="DeviceObservation"/> of the deployment's container (null: it never reported).
/// </summary>
public sealed record FleetDevice(string Id, string DeviceClass, EquatableList<string> Groups, EquatableMap<string> Tags, DeviceObservation? Latest);

/// <summary>
/// What one version report says about one container, reduced to what the engine decides on: the report's sequence
/// (a report is processed once), the confirmed and trial versions, the last install (result, code), the last trial
/// (verdict, version, the probe's reason), the last metadata refusal, and a downloaded version held for its install
/// window (with when the window opens; null: no interval ahead). The marks are the text of the last install,
/// trial and refusal: a mark that differs from the one seen before is a new event.
/// </summary>
public sealed record DeviceObservation(
    string DeviceId,
    long Sequence,
    string? ConfirmedVersion,
    string? TrialVersion,
    string? InstallResult,
    string? InstallCode,
    string? InstallDetail,
    string? TrialVerdict,
    string? TrialVersionJudged,
    string? TrialReason,
    string? RefusalCode,
    string? RefusalDetail,
    string? AwaitingVersion = null,
    DateTimeOffset? WindowOpensAt = null)
{
    public string? InstallMark => InstallResult is null ? null : $"{InstallResult}|{InstallCode}|{InstallDetail}";

    public string? TrialMark => TrialVerdict is null ? null : $"{TrialVerdict}|{TrialVersionJudged}|{TrialReason}";

    public string? RefusalMark => RefusalCode is null ? null : $"{RefusalCode}|{RefusalDetail}";

    /// <summary>The observation of <paramref name="container"/> in a verified report stored with <paramref name="sequence"/>.</summary>
    public static DeviceObservation From(VersionReport report, long sequence, string container)
    {
        ArgumentNullException.ThrowIfNull(report);
        var c = report.Containers.FirstOrDefault(x => x.Name == container);
        return new DeviceObservation(report.DeviceId, sequence, c?.Confirmed?.Version, c?.Trial?.Version,
            c?.LastInstall?.Result, c?.LastInstall?.Code, c?.LastInstall?.Detail,
            c?.LastTrial?.Verdict, c?.LastTrial?.Version, c?.LastTrial?.Reason,
            report.LastRefusal?.Code, report.LastRefusal is { } r ? $"step {r.Step}: {r.Detail}" : null,
            c?.AwaitingWindow?.Version, c?.AwaitingWindow?.OpensAt is { } opens ? DateTimeOffset.FromUnixTimeSeconds(opens) : null);
    }
}
