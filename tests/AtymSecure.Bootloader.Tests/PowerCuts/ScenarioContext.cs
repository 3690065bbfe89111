using AtymSecure.Bootloader.Boot;
using AtymSecure.Bootloader.Install;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Bootloader.Tests.Support;
using AtymSecure.Primitives;

namespace AtymSecure.Bootloader.Tests.PowerCuts;

/// <summary>An invariant broken after a power-on (what the power-cut runner counts as "not recovered").</summary>
public sealed class InvariantViolationException(string message) : Exception(message);

/// <summary>
/// One run of a scenario on one device: powers the device on, checks the invariants after every
/// boot, and keeps what must stay monotonic (rollback floors) across power-ons.
/// </summary>
public sealed class ScenarioContext
{
    private readonly Dictionary<string, uint> _floorSeen = new();

    public ScenarioContext(SimDevice device, ScenarioImages images, TestImageSigner signer, EcdsaTestPreCheck preCheck)
    {
        Device = device;
        Images = images;
        Signer = signer;
        PreCheck = preCheck;
    }

    public SimDevice Device { get; }
    public ScenarioImages Images { get; }
    public TestImageSigner Signer { get; }
    public EcdsaTestPreCheck PreCheck { get; }

    /// <summary>Containers that had a confirmed image when the scenario started: they must run after every boot.</summary>
    public HashSet<string> MustRun { get; } = [];

    public int PowerOns { get; private set; }

    /// <summary>A context for another device forked from this one's flash: same images, same must-run set, same floors seen.</summary>
    public ScenarioContext ForkFor(SimDevice device)
    {
        var fork = new ScenarioContext(device, Images, Signer, PreCheck);
        fork.MustRun.UnionWith(MustRun);
        foreach (var (k, v) in _floorSeen) fork._floorSeen[k] = v;
        return fork;
    }

    public BootReport? LastReport { get; private set; }

    /// <summary>Power on: recover, boot, and check every invariant; returns the bootloader for the agent's next step.</summary>
    public DeviceBootloader PowerOn()
    {
        PowerOns++;
        var bl = Device.Open();
        var report = bl.Boot();
        LastReport = report;
        Check(bl, report);
        return bl;
    }

    private void Check(DeviceBootloader bl, BootReport report)
    {
        if (bl.LastScan.OutOfOrderRecords != 0)
            throw new InvariantViolationException($"state log has {bl.LastScan.OutOfOrderRecords} records out of sequence order");
        foreach (var result in report.Containers)
        {
            var c = result.Container;
            var record = bl.State(c);
            if (record.Validate().Count > 0)
                throw new InvariantViolationException($"{c}: inconsistent record {record}");
            if (MustRun.Contains(c) && !result.IsRunning)
                throw new InvariantViolationException($"{c}: not running after boot ({result.Outcome}, {record})");
            if (result.IsRunning)
            {
                var bytes = bl.OpenImage(c, result.RunningSlot).ReadAll();
                if (!Images.Allowed(c).Any(img => img.AsSpan().SequenceEqual(bytes)))
                    throw new InvariantViolationException($"{c}: slot {result.RunningSlot} runs an image that is neither old nor new ({bytes.Length} bytes, {record})");
                if (result.RunningImage is not { Verified: true } info || Digest.Compute(bytes) != info.Digest)
                    throw new InvariantViolationException($"{c}: running image is not recorded as verified with its digest ({record})");
            }
            // Every slot a record calls verified must really hold that image (the MACed claim is true).
            foreach (var slot in new[] { SlotId.A, SlotId.B })
            {
                var info = record.Slot(slot);
                if (info.Present && info.Verified && !SlotHasher.Matches(Device.Flash, bl.Partitions.Slot(c, slot), info))
                    throw new InvariantViolationException($"{c}: slot {slot} is recorded verified but does not match its digest ({record})");
            }
            // The counter store holds every floor the log holds (a lost log loses none), and a floor is only ever the
            // counter of an image the container had: at most the one confirm in flight, one bump, ahead.
            if (bl.CounterStore(c) is { } counter && counter.Floor != record.SecurityFloor)
                throw new InvariantViolationException($"{c}: counter store floor {counter.Floor} differs from the effective floor {record.SecurityFloor} ({record})");
            var highest = Math.Max(record.SlotA.Present ? record.SlotA.SecurityCounter : 0u, record.SlotB.Present ? record.SlotB.SecurityCounter : 0u);
            if (record.SecurityFloor > Math.Max(highest, _floorSeen.GetValueOrDefault(c)))
                throw new InvariantViolationException($"{c}: floor {record.SecurityFloor} is above every image it had ({record})");
            var seen = _floorSeen.GetValueOrDefault(c);
            if (record.SecurityFloor < seen)
                throw new InvariantViolationException($"{c}: security floor went down from {seen} to {record.SecurityFloor}");
            _floorSeen[c] = record.SecurityFloor;
        }
    }

    /// <summary>Uncut setup helper: install, boot the trial, confirm (<paramref name="preCheck"/> default: the test images' check).</summary>
    public void InstallAndConfirm(IInstallImage image, IInstallPreCheck? preCheck = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        Device.Open().Install(image, preCheck ?? PreCheck);
        var bl = Device.Open();
        var result = bl.Boot()[image.ContainerName];
        if (result.Outcome != BootOutcome.Trial) throw new InvalidOperationException($"setup: expected a trial boot, got {result.Outcome}");
        bl.Confirm(image.ContainerName);
    }

    /// <summary>What the run ended with, per container: the durable record and the digest that runs.</summary>
    public IReadOnlyList<string> FinalState()
    {
        var bl = Device.Open();
        return bl.Partitions.ContainerNames
            .Select(c => $"{c}: {bl.State(c)} running={LastReport?[c].RunningImage?.Digest.ToString() ?? "none"} counter-store={bl.CounterStore(c)?.Floor.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}")
            .ToArray();
    }
}

/// <summary>The images of a scenario per container: which may ever run (old, new) and the update to apply.</summary>
public sealed class ScenarioImages
{
    private readonly Dictionary<string, List<byte[]>> _allowed = new();

    public void Allow(string container, byte[] image)
    {
        if (!_allowed.TryGetValue(container, out var list)) _allowed[container] = list = [];
        list.Add(image);
    }

    public IReadOnlyList<byte[]> Allowed(string container) => _allowed.TryGetValue(container, out var l) ? l : [];
}
