using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Install;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Bootloader.Simulator;
using AtymSecure.Bootloader.Tests.Support;
using AtymSecure.Primitives;

namespace AtymSecure.Bootloader.Tests.PowerCuts;

/// <summary>
/// The production install path under power cuts: real signed bundles (full and SeqDiff delta) read by
/// <see cref="BundleInstallImage"/> — signature and chunk hashes checked, payload streamed through the
/// verifying reader, the delta applied against the confirmed slot — not the harness's test image.
/// After a cut at any operation (clean cut, torn program, interrupted erase, random successive cuts)
/// the device runs exactly the old or exactly the new image and ends like the uncut run.
/// The negative control (<see cref="HarnessSelfTests"/>) shows the same sweep catches an in-place writer of the same bundle.
/// </summary>
public sealed class BundleInstallPowerCutTests : IDisposable
{
    private const int Size = PowerCutMatrixTests.SmallImage;
    private static readonly byte[] V1 = TestImages.Random(Size - 777, seed: 1);
    private static readonly byte[] V2 = TestImages.Evolve(V1, seed: 2, size: Size);
    private readonly SignedBundles _bundles = new();

    public void Dispose() => _bundles.Dispose();

    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        foreach (var profile in FlashProfile.Matrix)
            foreach (var delta in new[] { false, true })
                data.Add(profile.Name, delta);
        return data;
    }

    /// <summary>From v1 confirmed (installed from a full bundle, uncut) to v2 confirmed via <paramref name="update"/>.</summary>
    internal static PowerCutScenario UpdateThroughBundles(SignedBundles bundles, byte[] update, string name) => new()
    {
        Name = name,
        Containers = [new(Scenarios.App, Scenarios.SlotBytesFor(Size))],
        Setup = ctx =>
        {
            ctx.Images.Allow(Scenarios.App, V1);
            ctx.Images.Allow(Scenarios.App, V2);
            var first = bundles.Open(bundles.Full(Scenarios.App, V1, "1.0.0", 1));
            ctx.InstallAndConfirm(first, first);
            ctx.MustRun.Add(Scenarios.App);
        },
        Step = (ctx, bl) =>
        {
            // What a device agent does after every power-on: read the downloaded bundle afresh against the current state.
            var image = bundles.Open(update);
            return PowerCutScenario.DriveToConfirmed(ctx, bl, image, image);
        },
    };

    internal static byte[] FullUpdate(SignedBundles bundles) => bundles.Full(Scenarios.App, V2, "2.0.0", 2);

    internal static byte[] DeltaUpdate(SignedBundles bundles) =>
        bundles.Delta(Scenarios.App, V1, V2, GoldenDelta.Patch(Scenarios.App, Size), "2.0.0", 2);

    internal static byte[] OldImage => V1;

    internal static byte[] NewImage => V2;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_cut_point_of_a_bundle_install_recovers_to_exactly_old_or_new(string profileName, bool delta)
    {
        var profile = FlashProfile.Matrix.Single(p => p.Name == profileName);
        var scenario = UpdateThroughBundles(_bundles, delta ? DeltaUpdate(_bundles) : FullUpdate(_bundles), delta ? "bundle-delta" : "bundle-full");
        var runner = new PowerCutRunner(scenario, SimDevice.Create(profile, scenario.Containers));
        Assert.True(runner.TotalOperations > 10, $"the clean run performed only {runner.TotalOperations} flash operations");
        Assert.Contains(runner.CleanFinalState, s => s.Contains($"running={Digest.Compute(V2)}", StringComparison.Ordinal));

        SweepResult[] sweeps =
        [
            runner.Sweep(CutKind.PowerCut),
            runner.Sweep(CutKind.TornProgram),
            runner.Sweep(CutKind.InterruptedErase),
            runner.RandomCuts(8),
        ];
        Assert.Equal(runner.TotalOperations, sweeps[0].CutPoints);
        Assert.True(sweeps[1].CutPoints > 0 && sweeps[2].CutPoints > 0, "the install programmed and erased flash");
        foreach (var sweep in sweeps)
            Assert.True(sweep.Failures.Count == 0, $"{sweep}:\n{string.Join("\n", sweep.Failures.Take(5))}");
    }
}
