using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Install;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.Tests.Support;
using AtymSecure.Primitives;

namespace AtymSecure.Bootloader.Tests.PowerCuts;

/// <summary>The eight scenarios of the matrix (issue #5 §4), parametrised by image size.</summary>
public static class Scenarios
{
    public const string App = "app";
    public const string Sensor = "sensor";

    public static IReadOnlyList<string> Names { get; } =
        ["first-install", "full-update", "delta-update", "confirm", "revert-failed-health", "revert-crash-loop", "two-containers", "too-low-counter"];

    /// <summary>Slot size for an image size: the image rounded up to 4 KiB plus 4 KiB of headroom.</summary>
    public static long SlotBytesFor(int imageSize) => (imageSize + 4095) / 4096 * 4096 + (imageSize >= 256 * 1024 ? 0 : 4096);

    public static PowerCutScenario Create(string name, int imageSize)
    {
        // v1 is a little smaller and odd-sized, so the last program unit is always padded.
        var v1 = TestImages.Random(imageSize - 777, seed: 1);
        var v2 = TestImages.Evolve(v1, seed: 2, size: imageSize);
        var slot = SlotBytesFor(imageSize);
        ContainerSlotRequest[] one = [new(App, slot)];
        var signer = TestImageSigner.Shared;
        var full1 = signer.Full(App, v1, "1.0.0", 1);
        var full2 = signer.Full(App, v2, "2.0.0", 2);

        return name switch
        {
            "first-install" => new()
            {
                Name = name, Containers = one,
                Setup = ctx => ctx.Images.Allow(App, v1),
                Step = (ctx, bl) => PowerCutScenario.DriveToConfirmed(ctx, bl, full1),
            },
            "full-update" => Update(name, one, v1, v2, full2),
            "delta-update" => Update(name, one, v1, v2, signer.SeqDiff(App, v1, v2, GoldenDelta.Patch(App, imageSize), "2.0.0", 2)),
            "confirm" => new()
            {
                Name = name, Containers = one,
                Setup = ctx =>
                {
                    StartFrom(ctx, App, v1, v2);
                    ctx.Device.Open().Install(full2, ctx.PreCheck);
                },
                Step = (ctx, bl) => PowerCutScenario.DriveToConfirmed(ctx, bl, full2),
            },
            "revert-failed-health" => Revert(name, one, v1, v2, full2, rejectOnHealth: true),
            "revert-crash-loop" => Revert(name, one, v1, v2, full2, rejectOnHealth: false),
            "two-containers" => TwoContainers(name, imageSize, slot, v1, v2, full2),
            "too-low-counter" => TooLowCounter(name, one, v1, v2, signer.Full(App, v2, "2.0.0", 5), signer.Full(App, v1, "1.1.0", 4)),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown scenario"),
        };
    }

    private static void StartFrom(ScenarioContext ctx, string container, byte[] old, byte[] next)
    {
        ctx.Images.Allow(container, old);
        ctx.Images.Allow(container, next);
        ctx.InstallAndConfirm(ctx.Signer.Full(container, old, "1.0.0", 1));
        ctx.MustRun.Add(container);
    }

    private static PowerCutScenario Update(string name, ContainerSlotRequest[] one, byte[] v1, byte[] v2, IInstallImage update) => new()
    {
        Name = name, Containers = one,
        Setup = ctx => StartFrom(ctx, App, v1, v2),
        Step = (ctx, bl) => PowerCutScenario.DriveToConfirmed(ctx, bl, update),
    };

    private static PowerCutScenario Revert(string name, ContainerSlotRequest[] one, byte[] v1, byte[] v2, IInstallImage update, bool rejectOnHealth)
    {
        var old = Digest.Compute(v1);
        return new()
        {
            Name = name, Containers = one,
            Setup = ctx => StartFrom(ctx, App, v1, v2),
            Step = (ctx, bl) => PowerCutScenario.DriveToReverted(ctx, bl, update, old, rejectOnHealth),
        };
    }

    private static PowerCutScenario TwoContainers(string name, int imageSize, long slot, byte[] v1, byte[] v2, IInstallImage appUpdate)
    {
        var s1 = TestImages.Random(imageSize - 3001, seed: 11);
        var s2 = TestImages.Evolve(s1, seed: 12, size: imageSize - 1234);
        var sensorUpdate = TestImageSigner.Shared.SeqDiff(Sensor, s1, s2, GoldenDelta.Patch(Sensor, imageSize), "2.0.0", 2);
        return new()
        {
            Name = name, Containers = [new(App, slot), new(Sensor, slot)],
            Setup = ctx =>
            {
                StartFrom(ctx, App, v1, v2);
                StartFrom(ctx, Sensor, s1, s2);
            },
            Step = (ctx, bl) =>
            {
                // Both containers move in the same power-on (installed together, confirmed together).
                var app = PowerCutScenario.DriveToConfirmed(ctx, bl, appUpdate);
                var sensor = PowerCutScenario.DriveToConfirmed(ctx, bl, sensorUpdate);
                return app && sensor;
            },
        };
    }

    private static PowerCutScenario TooLowCounter(string name, ContainerSlotRequest[] one, byte[] v1, byte[] v2, IInstallImage update, IInstallImage tooLow) => new()
    {
        Name = name, Containers = one,
        Setup = ctx => StartFrom(ctx, App, v1, v2),
        Step = (ctx, bl) =>
        {
            if (!PowerCutScenario.DriveToConfirmed(ctx, bl, update)) return false;
            // Floor is now 5: a correctly signed image with counter 4 must be refused without touching flash.
            var flash = ctx.Device.Flash;
            var before = flash.Content.ToArray();
            var ops = flash.OperationCount;
            try
            {
                bl.Install(tooLow, ctx.PreCheck);
                throw new InvariantViolationException("an image below the rollback floor was accepted");
            }
            catch (InstallRefusedException e) when (e.Problems.Count == 1 && e.Has(AtymSecure.Formats.ReasonCodes.CounterRollback))
            {
            }
            if (flash.OperationCount != ops || !flash.Content.SequenceEqual(before))
                throw new InvariantViolationException("a refused install touched flash");
            return true;
        },
    };

    /// <summary>Matrix axis: profile x alignment x erased value (issue #5 §4).</summary>
    public static IEnumerable<(FlashProfile Profile, int Alignment, byte Erased)> Configurations()
    {
        foreach (var p in FlashProfile.Matrix)
            foreach (var a in new[] { 1, 4, 8, 16 })
                foreach (var e in new byte[] { 0xFF, 0x00 })
                    yield return (p, a, e);
    }
}
