using System.Text.Json.Serialization;

namespace AtymSecure.Formats.DeviceProtocol.Ddi;

// The wire names are hawkBit's (DdiStatus.ExecutionStatus, DdiResult.FinalResult, DdiDeployment.HandlingType,
// DdiDeployment.DdiMaintenanceWindowStatus, DdiUpdateMode), matched exactly and case-sensitively as Jackson does;
// a number or another spelling is refused (DdiEnumJsonConverter).

/// <summary><c>status.execution</c> of a feedback: where the device is with an action.</summary>
[JsonConverter(typeof(DdiEnumJsonConverter<DdiExecution>))]
public enum DdiExecution
{
    /// <summary>The action is finished (<c>result.finished</c> says how).</summary>
    [JsonStringEnumMemberName("closed")] Closed,

    /// <summary>Started, not finished.</summary>
    [JsonStringEnumMemberName("proceeding")] Proceeding,

    /// <summary>The device confirms a cancellation the server asked for.</summary>
    [JsonStringEnumMemberName("canceled")] Canceled,

    /// <summary>Noticed and intended to run.</summary>
    [JsonStringEnumMemberName("scheduled")] Scheduled,

    /// <summary>Not accepted (an update, or a cancellation the device cannot honour now).</summary>
    [JsonStringEnumMemberName("rejected")] Rejected,

    /// <summary>Started again after a reset or power loss.</summary>
    [JsonStringEnumMemberName("resumed")] Resumed,

    /// <summary>The artifacts are downloaded.</summary>
    [JsonStringEnumMemberName("downloaded")] Downloaded,

    /// <summary>The device starts to download (hawkBit spells it <c>download</c>).</summary>
    [JsonStringEnumMemberName("download")] Download,
}

/// <summary><c>status.result.finished</c>: the final result, or <c>none</c> while there is none yet.</summary>
[JsonConverter(typeof(DdiEnumJsonConverter<DdiFinished>))]
public enum DdiFinished
{
    [JsonStringEnumMemberName("success")] Success,
    [JsonStringEnumMemberName("failure")] Failure,
    [JsonStringEnumMemberName("none")] None,
}

/// <summary><c>deployment.download</c> / <c>deployment.update</c>: whether the device should do that part now.</summary>
[JsonConverter(typeof(DdiEnumJsonConverter<DdiHandlingType>))]
public enum DdiHandlingType
{
    /// <summary>Not yet (an update outside its maintenance window).</summary>
    [JsonStringEnumMemberName("skip")] Skip,

    /// <summary>The server asks; local policy on the device may still wait.</summary>
    [JsonStringEnumMemberName("attempt")] Attempt,

    /// <summary>Now, whatever local policy says.</summary>
    [JsonStringEnumMemberName("forced")] Forced,
}

/// <summary><c>deployment.maintenanceWindow</c>: present only when the deployment has an install window.</summary>
[JsonConverter(typeof(DdiEnumJsonConverter<DdiMaintenanceWindow>))]
public enum DdiMaintenanceWindow
{
    [JsonStringEnumMemberName("available")] Available,
    [JsonStringEnumMemberName("unavailable")] Unavailable,
}

/// <summary><c>configData.mode</c>: how the sent attributes change the stored ones (hawkBit's default is merge).</summary>
[JsonConverter(typeof(DdiEnumJsonConverter<DdiUpdateMode>))]
public enum DdiUpdateMode
{
    /// <summary>Sent keys are added or overwrite; others stay.</summary>
    [JsonStringEnumMemberName("merge")] Merge,

    /// <summary>The sent map becomes the whole set.</summary>
    [JsonStringEnumMemberName("replace")] Replace,

    /// <summary>Sent keys are removed (their values are ignored).</summary>
    [JsonStringEnumMemberName("remove")] Remove,
}
