using AtymSecure.Bootloader.Simulator;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Tests.Support;

namespace AtymSecure.Bootloader.Tests.PowerCuts;

/// <summary>
/// Issue #5 §4, wide matrix: 8 scenarios x 3 profiles x alignments {1,4,8,16} x erased {0xFF,0x00},
/// small containers. Per case: cut before every op, torn program at every program, interrupted
/// erase at every erase, and random k ≤ 5 successive cuts; each must end exactly like the clean run
/// with every invariant holding after every power-on.
/// </summary>
public sealed class PowerCutMatrixTests(PowerCutReport report) : IClassFixture<PowerCutReport>
{
    public const int SmallImage = 6 * 1024;
    private const int RandomSeeds = 8;

    public static TheoryData<string, string, int, byte> Cases()
    {
        var data = new TheoryData<string, string, int, byte>();
        foreach (var scenario in Scenarios.Names)
            foreach (var (profile, alignment, erased) in Scenarios.Configurations())
                data.Add(scenario, profile.Name, alignment, erased);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_cut_point_recovers_to_old_or_new_and_ends_like_the_clean_run(string scenario, string profileName, int alignment, byte erased)
    {
        var profile = FlashProfile.Matrix.Single(p => p.Name == profileName);
        var s = Scenarios.Create(scenario, SmallImage);
        var device = SimDevice.Create(profile, s.Containers, alignment, erased);
        var runner = new PowerCutRunner(s, device);
        Assert.True(runner.TotalOperations > 0, "the clean run performed no flash operations");

        SweepResult[] sweeps =
        [
            runner.Sweep(CutKind.PowerCut),
            runner.Sweep(CutKind.TornProgram),
            runner.Sweep(CutKind.InterruptedErase),
            runner.RandomCuts(RandomSeeds),
        ];
        report.Add(profileName, $"{profileName} align={alignment} erased=0x{erased:X2}", scenario, runner.TotalOperations, sweeps);

        Assert.Equal(runner.TotalOperations, sweeps[0].CutPoints);
        foreach (var sweep in sweeps)
            Assert.True(sweep.Failures.Count == 0, $"{sweep}:\n{string.Join("\n", sweep.Failures.Take(5))}");
    }
}
