using AtymSecure.Bootloader.Crypto;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Primitives;

namespace AtymSecure.Bootloader.Tests.State;

/// <summary>Fixed records and key for codec tests and the golden files.</summary>
public static class TestRecords
{
    public static DeviceKey GoldenKey { get; } = DeviceKey.FromBytes(Enumerable.Range(0, 32).Select(i => (byte)(0x10 + i)).ToArray());

    public static SlotImageInfo Image(int seed, bool verified) => new(
        true, verified, (uint)(10_000 + seed), Digest.Compute([(byte)seed]), new ImageVersion(1, (ushort)seed, 7), (uint)seed);

    /// <summary>A confirmed container with a previous image kept in the other slot.</summary>
    public static ContainerRecord Confirmed { get; } = new(
        2, ContainerState.Confirmed, SlotId.B, SlotId.None, 0, 3, Image(2, verified: true), Image(3, verified: true));

    /// <summary>A trial that has started once.</summary>
    public static ContainerRecord TrialBooted { get; } = new(
        0, ContainerState.TrialBooted, SlotId.A, SlotId.B, 2, 1, Image(1, verified: true), Image(4, verified: true));
}
