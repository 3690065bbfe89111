using AtymSecure.Bootloader.Simulator;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Tests.Support;

namespace AtymSecure.Bootloader.Tests.PowerCuts;

/// <summary>
/// Issue #5 §4, exhaustive part: one profile (STM32U5-like, 8 KiB pages, 16-byte writes) with a
/// 256 KiB container, every scenario, every cut point / torn program / interrupted erase.
/// </summary>
public sealed class LargeContainerExhaustiveTests(PowerCutReport report) : IClassFixture<PowerCutReport>
{
    public const int LargeImage = 256 * 1024;

    public static TheoryData<string> ScenarioNames() => [.. Scenarios.Names];

    [Theory]
    [MemberData(nameof(ScenarioNames))]
    public void A_256_KiB_container_survives_a_cut_at_every_operation(string scenario)
    {
        var profile = FlashProfile.Stm32U5Like;
        var s = Scenarios.Create(scenario, LargeImage);
        var device = SimDevice.Create(profile, s.Containers);
        var runner = new PowerCutRunner(s, device);

        SweepResult[] sweeps =
        [
            runner.Sweep(CutKind.PowerCut),
            runner.Sweep(CutKind.TornProgram),
            runner.Sweep(CutKind.InterruptedErase),
            runner.RandomCuts(4),
        ];
        report.Add($"{profile.Name}-256KiB", $"{profile.Name}-256KiB align=16 erased=0xFF", scenario, runner.TotalOperations, sweeps);

        Assert.Equal(runner.TotalOperations, sweeps[0].CutPoints);
        foreach (var sweep in sweeps)
            Assert.True(sweep.Failures.Count == 0, $"{sweep}:\n{string.Join("\n", sweep.Failures.Take(5))}");
    }
}
