using Microsoft.Extensions.Time.Testing;
using AtymSecure.Bootloader.Crypto;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Bootloader.Simulator;

namespace AtymSecure.Bootloader.Tests.Support;

/// <summary>A simulated device: a provisioned flash part, its device key and bootloader options.</summary>
public sealed class SimDevice
{
    public const string DeviceClass = "test-mcu";

    private static readonly byte[] FixedKey = Enumerable.Range(0, 32).Select(i => (byte)(0xA0 + i)).ToArray();

    public SimDevice(SimulatedNorFlash flash, BootloaderOptions options)
    {
        Flash = flash;
        Options = options;
    }

    public SimulatedNorFlash Flash { get; }
    public BootloaderOptions Options { get; }
    public DeviceKey Key { get; } = DeviceKey.FromBytes(FixedKey);

    public static BootloaderOptions DefaultOptions(int programChunk = 1024) => new()
    {
        DeviceClass = DeviceClass,
        Clock = new FakeTimeProvider(TestImageSigner.Now), // stands still: expiry checks are deterministic
        ProgramChunkBytes = programChunk,
    };

    /// <summary>A part of <paramref name="profile"/> sized for the containers, with the table provisioned.</summary>
    public static SimDevice Create(FlashProfile profile, IReadOnlyList<ContainerSlotRequest> containers,
        int? writeAlignment = null, byte? erasedValue = null, int? endurance = null, long stateHalfMinBytes = 4096, BootloaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var size = LayoutPlanner.RequiredFlashSize(profile, containers, stateHalfMinBytes, writeAlignment: writeAlignment);
        var geometry = profile.CreateGeometry(size, writeAlignment, erasedValue, endurance);
        var flash = new SimulatedNorFlash(geometry);
        DeviceBootloader.Provision(flash, LayoutPlanner.Plan(geometry, containers, stateHalfMinBytes));
        return new SimDevice(flash, options ?? DefaultOptions(Math.Max(1024, geometry.WriteAlignment)));
    }

    public DeviceBootloader Open() => DeviceBootloader.Open(Flash, Key, Options);

    /// <summary>A device with an independent copy of this one's flash.</summary>
    public SimDevice Fork() => new(Flash.Clone(), Options);

    /// <summary>Fills the state log with duplicates of the latest records until <paramref name="freeSlots"/> remain, so compaction happens soon.</summary>
    public void FillStateLog(int freeSlots)
    {
        var table = PartitionTableStore.Read(Flash);
        var log = new StateLog(Flash, table, Key);
        log.Recover();
        var records = Enumerable.Range(0, table.ContainerNames.Count).Select(i => log.Latest(i) ?? ContainerRecord.Empty(i)).ToArray();
        var n = 0;
        while (log.FreeSlots > freeSlots) log.Append(records[n++ % records.Length]);
    }
}
