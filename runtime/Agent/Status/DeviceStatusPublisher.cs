using AtymSecure.Bootloader.Boot;
using AtymSecure.Bootloader.Layout;
using AtymSecure.DeviceAgent.Trials;

namespace AtymSecure.DeviceAgent.Status;

/// <summary>
/// The one writer of a powered-on device's status.json: keeps the current <see cref="DeviceStatus"/> and
/// rewrites the file atomically on every change, so <c>atym device status</c> in another process reads the old
/// or the new file, never half of one. Changes come from the runner's loop, the installer and trial threads;
/// one lock orders them, and every timestamp is the device clock's.
/// </summary>
public sealed class DeviceStatusPublisher
{
    private readonly Lock _lock = new();
    private readonly DeviceDirectory _directory;
    private readonly TimeProvider _clock;
    private DeviceStatus _current;

    // The open take's number (BeginTake), 0 when none.
    private int _take;

    /// <summary>Starts from what status.json holds (a damaged file starts empty: see <see cref="LoadProblem"/>).</summary>
    internal DeviceStatusPublisher(DeviceDirectory directory, Provisioning.DeviceIdentity identity, Provisioning.DeviceTrust trust, TimeProvider clock)
    {
        _directory = directory;
        _clock = clock;
        var loaded = DeviceStatus.Load(directory, out var problem);
        // Whatever format the file had, from now on it is the current format (runtime version, counter stores).
        _current = loaded with
        {
            Format = DeviceStatus.FormatVersion, RuntimeVersion = AtymSecure.Runtime.RuntimeVersion.Current.ToString(),
            DeviceId = identity.DeviceId, Profile = identity.Profile, DeviceClass = identity.DeviceClass, Trust = trust.Mode,
        };
        LoadProblem = problem;
    }

    public DeviceStatus Current
    {
        get { lock (_lock) return _current; }
    }

    /// <summary>Why status.json could not be read at power-on (it then started empty), else null.</summary>
    public string? LoadProblem { get; }

    /// <summary>This process runs the device from now on (a status query then answers from the file).</summary>
    public void PoweredOn(int pid) => Update(s => s with { Running = new RunningStatus(pid, _clock.GetUtcNow()) });

    public void PoweredOff() => Update(s => s with { Running = null });

    public void RecordBoot(BootReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        // A device in recovery says so in the file too, so a status query of the running device reports it.
        var recovery = report.Containers.Any(c => c.Outcome == BootOutcome.Recovery) ? DeviceStatusQuery.RecoveryMessage : null;
        Update(s => s with
        {
            LastBoot = new BootStatus(_clock.GetUtcNow(), [.. report.Containers.Select(BootResultStatus.Of)]) { Number = BootStatus.NumberAfter(s.LastBoot) },
            Recovery = recovery,
        });
    }

    public InstallStatus RecordInstall(string bundle, string? container, string? version, InstallResult result, SlotId? slot, string detail)
    {
        var install = new InstallStatus(_clock.GetUtcNow(), bundle, container, version, result, slot, detail) { Take = Volatile.Read(ref _take) is var take and > 0 ? take : null };
        Update(s => s.WithInstall(install));
        return install;
    }

    /// <summary>
    /// Until disposed, every install line recorded carries one new take number (<see cref="InstallStatus.Take"/>): the
    /// runner holds one around each staged file it installs. Takes do not nest.
    /// </summary>
    public IDisposable BeginTake()
    {
        int take;
        lock (_lock) take = (_current.Installs.Max(i => i.Take) ?? 0) + 1;
        if (Interlocked.CompareExchange(ref _take, take, 0) != 0) throw new InvalidOperationException("a take is already open");
        return new TakeScope(this);
    }

    private sealed class TakeScope(DeviceStatusPublisher publisher) : IDisposable
    {
        public void Dispose() => Volatile.Write(ref publisher._take, 0);
    }

    public void RecordTrial(TrialResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Update(s => s.WithTrial(new TrialStatus(_clock.GetUtcNow(), result.Container, result.TrialVersion, result.Verdict, result.Reason, result.RunningVersion)));
    }

    /// <summary>The bundles held for their install window now (empty: none; the field is then left out).</summary>
    public void PublishWindowWaits(IReadOnlyList<WindowWaitStatus> waits)
    {
        ArgumentNullException.ThrowIfNull(waits);
        lock (_lock)
        {
            var next = waits.Count == 0 ? null : new Primitives.EquatableList<WindowWaitStatus>(waits);
            if (Equals(_current.AwaitingWindow, next)) return;
            Update(s => s with { AwaitingWindow = next });
        }
    }

    /// <summary>Replaces the per-container view; writes the file only when it changed (the runner calls this every poll).</summary>
    public void PublishContainers(IReadOnlyList<ContainerStatus> containers)
    {
        ArgumentNullException.ThrowIfNull(containers);
        lock (_lock)
        {
            if (_current.Containers.SequenceEqual(containers)) return;
            Update(s => s with { Containers = [.. containers] });
        }
    }

    private void Update(Func<DeviceStatus, DeviceStatus> change)
    {
        lock (_lock)
        {
            _current = change(_current);
            _current.Save(_directory);
        }
    }
}
