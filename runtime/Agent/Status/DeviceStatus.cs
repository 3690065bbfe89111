using System.Text.Json;
using System.Text.Json.Serialization;
using AtymSecure.Formats.Container;
using AtymSecure.Primitives;

namespace AtymSecure.DeviceAgent.Status;

/// <summary>The process that runs the device, and since when.</summary>
public sealed record RunningStatus(int Pid, DateTimeOffset Since);

/// <summary>
/// <c>atym device status</c>: identity, per-container slots/states/versions/counters, the last boot, and
/// recent trials and installs. Kept in status.json (rewritten atomically on every change by
/// <see cref="DeviceStatusPublisher"/>) so a status query works while another process runs the device; the
/// authoritative state is the flash, and a query on a stopped device reads the slots from the flash itself.
/// Enum values are written in lower case (<see cref="StatusNames"/>), exactly as format 1 always named them.
/// Compares by value (its lists are <see cref="EquatableList{T}"/>s).
/// <para>
/// Formats: 1 (until issue 10) has no runtime version; 2 adds <see cref="RuntimeVersion"/>, the device runtime's
/// version (<see cref="AtymSecure.Runtime.RuntimeVersion.Current"/> of the process that wrote the file); 3 (issue 11 §2)
/// adds each container's <see cref="ContainerStatus.CounterStore"/> (floor, entries used of the capacity, used up) and
/// is what the publisher writes. All read; a format-1 or format-2 status has no counterStore and writes back as the
/// same bytes.
/// </para>
/// </summary>
public sealed record DeviceStatus
{
    /// <summary>The format written: 3, with <see cref="RuntimeVersion"/> and each container's counter store.</summary>
    public const int FormatVersion = 3;

    /// <summary>The format with the runtime version but before the counter store (still read).</summary>
    public const int FormatWithoutCounterStore = 2;

    /// <summary>The format before the runtime version (still read).</summary>
    public const int FormatWithoutRuntimeVersion = 1;
    public const int MaxFileBytes = 4 * 1024 * 1024;
    public const int MaxHistory = 50;

    public int Format { get; init; } = FormatVersion;
    public string DeviceId { get; init; } = "";
    public string Profile { get; init; } = "";
    public string DeviceClass { get; init; } = "";

    /// <summary>The device runtime's SemVer version (format 2; the publisher always sets it); null when unknown, as in every format-1 file, and then not written.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RuntimeVersion { get; init; }
    public RunningStatus? Running { get; init; }

    /// <summary>
    /// Why the device is in recovery (its state log holds records of which none verifies: nothing runs, installs are
    /// refused until an operator re-provisions it), or null when it is not. Not written when null, so status.json of
    /// a healthy device reads byte for byte as before.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Recovery { get; init; }

    /// <summary>
    /// Where the device's bundle trust comes from (<see cref="Provisioning.DeviceTrust.Mode"/>): <c>development</c> (scoped
    /// keys given at init, docs/trust-model.md §2) or <c>unscoped</c> (a folder of before key scopes, which installs
    /// nothing). Set by every power-on; null in files written before it existed, and then not written, so those read
    /// and write back byte for byte (an addition within format 2, as <see cref="Recovery"/> was).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Trust { get; init; }
    public EquatableList<ContainerStatus> Containers { get; init; } = [];
    public BootStatus? LastBoot { get; init; }
    public EquatableList<TrialStatus> Trials { get; init; } = [];
    public EquatableList<InstallStatus> Installs { get; init; } = [];

    /// <summary>
    /// Bundles downloaded and verified but held until their install window opens (docs/update-metadata.md §3.1); null
    /// when none, and then not written, so files of devices that never waited read and write back byte for byte (an
    /// addition within format 3, as <see cref="Recovery"/> was within format 2).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EquatableList<WindowWaitStatus>? AwaitingWindow { get; init; }

    /// <summary>Whether <paramref name="container"/> is published confirmed at <paramref name="version"/> (a passed trial is
    /// recorded a moment before the runner publishes the confirmed slot).</summary>
    public bool HoldsConfirmed(string container, string version) =>
        Containers.Any(c => c.Name == container && c.State == Bootloader.State.ContainerState.Confirmed && c.VersionIn(c.ConfirmedSlot) == version);

    public DeviceStatus WithTrial(TrialStatus trial) => this with { Trials = Keep([.. Trials, trial]) };

    public DeviceStatus WithInstall(InstallStatus install) => this with { Installs = Keep([.. Installs, install]) };

    private static T[] Keep<T>(T[] items) => items.Length <= MaxHistory ? items : items[^MaxHistory..];

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        MaxDepth = 16,
        Converters = { new JsonStringEnumConverter(StatusNames.Policy, allowIntegerValues: false) },
    };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <exception cref="DeviceDataException">Not a status file of format 1, 2 or 3, or a field that does not fit its format.</exception>
    public static DeviceStatus Parse(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxFileBytes) throw new DeviceDataException($"status.json is {json.Length} bytes, above {MaxFileBytes}");
        try
        {
            var status = JsonSerializer.Deserialize<DeviceStatus>(json, Json) ?? throw new DeviceDataException("status.json is null");
            if (status.Format is not (FormatWithoutRuntimeVersion or FormatWithoutCounterStore or FormatVersion))
                throw new DeviceDataException($"status.json format {status.Format} is not {FormatWithoutRuntimeVersion}, {FormatWithoutCounterStore} or {FormatVersion}");
            if (status.Format == FormatWithoutRuntimeVersion && status.RuntimeVersion is not null)
                throw new DeviceDataException($"status.json format {FormatWithoutRuntimeVersion} has no runtimeVersion (format {FormatWithoutCounterStore} and later have)");
            if (status.RuntimeVersion is not null && !SemanticVersion.TryParse(status.RuntimeVersion, out _, out var error))
                throw new DeviceDataException($"status.json runtimeVersion is not a SemVer version: {error}");
            if (status.Format < FormatVersion && status.Containers.Any(c => c.CounterStore is not null))
                throw new DeviceDataException($"status.json format {status.Format} has no counterStore (format {FormatVersion} has)");
            if (status.Installs.FirstOrDefault(i => i.Take is < 1) is { } untaken)
                throw new DeviceDataException($"status.json install of '{untaken.Bundle}' has take {untaken.Take}; takes are numbered from 1");
            if (status.Containers.FirstOrDefault(c => c.CounterStore is { } s && (s.Used < 0 || s.Used > s.Capacity || s.Exhausted != (s.Used >= s.Capacity))) is { } bad)
                throw new DeviceDataException($"status.json counterStore of '{bad.Name}' is inconsistent ({bad.CounterStore!.Used}/{bad.CounterStore.Capacity} used, exhausted {bad.CounterStore.Exhausted})");
            return status;
        }
        catch (JsonException e)
        {
            throw new DeviceDataException($"status.json is damaged: {e.Message}", e);
        }
    }

    /// <summary>Reads status.json; a missing or damaged file yields an empty status (the flash stays authoritative).</summary>
    public static DeviceStatus Load(DeviceDirectory directory, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(directory);
        problem = null;
        if (!File.Exists(directory.StatusFile)) return new DeviceStatus();
        try
        {
            var info = new FileInfo(directory.StatusFile);
            if (info.Length > MaxFileBytes) throw new DeviceDataException($"status.json is {info.Length} bytes, above {MaxFileBytes}");
            return Parse(File.ReadAllBytes(directory.StatusFile));
        }
        catch (DeviceDataException e)
        {
            problem = e.Message;
            return new DeviceStatus();
        }
    }

    /// <summary>One atomic write (<see cref="AtomicFile"/>): a kill leaves the old or the new file, never half of one.</summary>
    public void Save(DeviceDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        AtomicFile.Write(directory.StatusFile, ToJson());
    }
}
