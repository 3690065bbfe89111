using AtymSecure.OtaStore;

namespace AtymSecure.OtaServer.Api;

/// <summary>What the operator API shows of a device: identity, what it told at enrolment, state, groups and tags, last report.</summary>
public sealed record DeviceView(
    string Id,
    string KeyFingerprint,
    string DeviceClass,
    string FlashProfile,
    IReadOnlyList<DevicePartition> PartitionTable,
    string RuntimeVersion,
    string State,
    IReadOnlyList<string> Groups,
    IReadOnlyDictionary<string, string> Tags,
    DateTimeOffset EnrolledAt,
    DateTimeOffset UpdatedAt,
    ReportSummary? LastReport)
{
    public static DeviceView Of(DeviceRecord d, ReportSummary? lastReport = null) => new(d.Id, d.KeyFingerprint, d.DeviceClass, d.FlashProfile,
        d.PartitionTable, d.RuntimeVersion, StateName(d.State), d.Groups, d.Tags, d.EnrolledAt, d.UpdatedAt, lastReport);

    public static string StateName(DeviceState state) => state switch
    {
        DeviceState.Pending => "pending",
        DeviceState.Active => "active",
        DeviceState.Decommissioned => "decommissioned",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };
}

/// <summary>The last report's gist: when, its nonce, per container what is confirmed and on trial, the last refusal, and the
/// device's boot count (0: the device had not booted, or is of before boot counting).</summary>
public sealed record ReportSummary(long Sequence, DateTimeOffset ReceivedAt, string Nonce, IReadOnlyList<ContainerSummary> Containers, string? LastRefusal, long BootCount);

public sealed record ContainerSummary(string Name, string? Confirmed, string? Trial, string? LastTrialVerdict, string? LastInstallResult);
