using AtymSecure.Primitives;
using AtymSecure.Bootloader.Crypto;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Formats.Container;

namespace AtymSecure.Bootloader.Tests.State;

/// <summary>Fixed records and key for codec tests and the golden files.</summary>
public static class TestRecords
{
    public static DeviceKey GoldenKey { get; } = DeviceKey.FromBytes(Enumerable.Range(0, 32).Select(i => (byte)(0x10 + i)).ToArray());

    public static SlotImageInfo Image(int seed, bool verified) => new(
        true, verified, (uint)(10_000 + seed), Digest.Compute([(byte)seed]), SemanticVersion.Release(1, (ulong)seed, 7), (uint)seed);

    /// <summary>A confirmed container with a previous image kept in the other slot.</summary>
    public static ContainerRecord Confirmed { get; } = new(
        2, ContainerState.Confirmed, SlotId.B, SlotId.None, 0, 3, Image(2, verified: true), Image(3, verified: true));

    /// <summary>A trial of a pre-release with build metadata, what only a v2 record holds (the golden v2 files).</summary>
    public static ContainerRecord PrereleaseTrial { get; } = new(
        1, ContainerState.TrialBooted, SlotId.A, SlotId.B, 2, 0x02000000,
        Image(5, verified: true) with { Version = SemanticVersion.Parse("1.9.0"), SecurityCounter = 0x02000000 },
        Image(6, verified: true) with { Version = SemanticVersion.Parse("2.0.0-rc.1+build.5"), SecurityCounter = 0x020000FE });

    /// <summary>The longest version a record holds, in slot A; slot B empty.</summary>
    public static ContainerRecord LongestVersion { get; } = new(
        3, ContainerState.Confirmed, SlotId.A, SlotId.None, 0, 9,
        Image(7, verified: true) with { Version = SemanticVersion.Parse("10.20.30-" + new string('x', SemanticVersion.MaxLength - 9)), SecurityCounter = 9 },
        SlotImageInfo.Absent);

    /// <summary>A trial that has started once.</summary>
    public static ContainerRecord TrialBooted { get; } = new(
        0, ContainerState.TrialBooted, SlotId.A, SlotId.B, 2, 1, Image(1, verified: true), Image(4, verified: true));
}
