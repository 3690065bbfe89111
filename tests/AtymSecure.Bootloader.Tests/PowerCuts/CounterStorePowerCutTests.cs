using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Simulator;
using AtymSecure.Bootloader.State;
using AtymSecure.Bootloader.Tests.Support;

namespace AtymSecure.Bootloader.Tests.PowerCuts;

/// <summary>
/// Issue 11 §2, power-cut matrix over the counter store: in every scenario that confirms, a power cut before each
/// counter program, right after it (before the confirm's state record), and a torn counter program (several seeds).
/// After every power-on the harness checks that the store holds the effective floor, floors never drop and never
/// exceed a counter the container had (<see cref="ScenarioContext"/>), and the run ends like the clean one. The wide
/// matrix (<see cref="PowerCutMatrixTests"/>) cuts at these operations too; this names them. The negative control
/// confirms in the wrong order (state record first, counter second), which the same sweep must catch.
/// </summary>
public sealed class CounterStorePowerCutTests(PowerCutReport report) : IClassFixture<PowerCutReport>
{
    private const int TornSeeds = 4;

    public static TheoryData<string, string, int, byte> Cases()
    {
        var data = new TheoryData<string, string, int, byte>();
        foreach (var scenario in new[] { "first-install", "full-update", "confirm", "two-containers", "too-low-counter" })
            foreach (var (profile, alignment, erased) in Scenarios.Configurations().Where(c => c.Alignment is 1 or 16))
                data.Add(scenario, profile.Name, alignment, erased);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_cut_at_a_counter_program_recovers_with_the_floor_held(string scenario, string profileName, int alignment, byte erased)
    {
        var profile = FlashProfile.Matrix.Single(p => p.Name == profileName);
        var s = Scenarios.Create(scenario, PowerCutMatrixTests.SmallImage);
        var runner = new PowerCutRunner(s, SimDevice.Create(profile, s.Containers, alignment, erased));
        Assert.NotEmpty(runner.CounterPrograms);
        Assert.All(runner.CounterPrograms, op => Assert.Equal(FlashOperationKind.Program, runner.Trace[op - 1]));

        SweepResult[] sweeps =
        [
            runner.SweepAt(runner.CounterPrograms, CutKind.PowerCut),
            runner.SweepAt([.. runner.CounterPrograms.Select(op => op + 1)], CutKind.PowerCut),
            runner.SweepAt(runner.CounterPrograms, CutKind.TornProgram, TornSeeds),
        ];
        report.Add(profileName, $"{profileName} align={alignment} erased=0x{erased:X2} counter-store", scenario, runner.TotalOperations, sweeps);
        foreach (var sweep in sweeps)
            Assert.True(sweep.Failures.Count == 0, $"{sweep}:\n{string.Join("\n", sweep.Failures.Take(5))}");
    }

    [Fact]
    public void Negative_control_a_confirm_that_writes_the_state_record_before_the_counter_is_caught()
    {
        var v1 = TestImages.Random(6000, 1);
        var v2 = TestImages.Evolve(v1, 2, 6500);
        var update = TestImageSigner.Shared.Full(Scenarios.App, v2, "2.0.0", 2);
        var scenario = new PowerCutScenario
        {
            Name = "unsafe-log-first-confirm",
            Containers = [new(Scenarios.App, 8192)],
            Setup = ctx =>
            {
                ctx.Images.Allow(Scenarios.App, v1);
                ctx.Images.Allow(Scenarios.App, v2);
                ctx.InstallAndConfirm(TestImageSigner.Shared.Full(Scenarios.App, v1, "1.0.0", 1));
                ctx.MustRun.Add(Scenarios.App);
            },
            Step = (ctx, bl) =>
            {
                var r = bl.State(Scenarios.App);
                if (r.State != ContainerState.TrialBooted) return PowerCutScenario.DriveToConfirmed(ctx, bl, update);
                var confirmed = ContainerTransitions.Confirm(r);
                var log = new StateLog(ctx.Device.Flash, bl.Partitions, ctx.Device.Key);
                log.Recover();
                log.Append(confirmed);
                new SecurityCounterStore(ctx.Device.Flash, bl.Partitions).Bump(0, confirmed.SecurityFloor);
                return false;
            },
        };
        var runner = new PowerCutRunner(scenario, SimDevice.Create(FlashProfile.Nrf52Like, scenario.Containers), fillLogToFreeSlots: 0);
        var sweep = runner.Sweep(CutKind.PowerCut);
        Assert.True(sweep.Recovered < sweep.CutPoints, "the harness failed to notice a floor the counter store did not hold");
        Assert.Contains(sweep.Failures, f => f.Contains("counter store floor 1 differs from the effective floor 2", StringComparison.Ordinal));
    }
}
