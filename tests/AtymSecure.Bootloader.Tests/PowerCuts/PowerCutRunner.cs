using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Tests.Support;
using AtymSecure.Bootloader.Simulator;

namespace AtymSecure.Bootloader.Tests.PowerCuts;

/// <summary>Counts of one sweep: how many cut points were tried and how many recovered with all invariants holding.</summary>
public sealed record SweepResult(string Mode, int CutPoints, int Recovered, IReadOnlyList<string> Failures)
{
    public override string ToString() => $"{Mode}: cut points: {CutPoints}, recovered: {Recovered}";
}

/// <summary>
/// MCUboot-simulator-style power-cut driver (and beyond): run a scenario clean and count its flash
/// operations T; then for every i in 1..T cut power before operation i (or tear the program /
/// interrupt the erase at i), power on, let the agent finish, and compare with the clean run;
/// then k ≤ 5 random successive cuts of random kinds.
/// </summary>
public sealed class PowerCutRunner
{
    private const int MaxPowerOns = 60;
    private readonly PowerCutScenario _scenario;
    private readonly SimDevice _start;
    private readonly ScenarioContext _startContext;
    private readonly long _startOps;

    public PowerCutRunner(PowerCutScenario scenario, SimDevice device, int fillLogToFreeSlots = 3)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(device);
        _scenario = scenario;
        var ctx = new ScenarioContext(device, new ScenarioImages(), TestImageSigner.Shared, TestImageSigner.SharedPreCheck);
        scenario.Setup(ctx);
        // Leave only a few free log slots so compaction happens inside the scenario, under cuts too.
        if (fillLogToFreeSlots > 0) device.FillStateLog(fillLogToFreeSlots);
        _start = device.Fork();
        _startContext = ctx.ForkFor(_start);
        _startOps = device.Flash.OperationCount;

        var clean = ctx.ForkFor(device);
        device.Flash.Trace = [];
        var counterPrograms = new List<int>();
        var region = AtymSecure.Bootloader.Layout.PartitionTableStore.Read(device.Flash).CounterRegion;
        if (region is not null)
        {
            var before = device.Flash.Content.Slice((int)region.Offset, (int)region.Size).ToArray();
            device.Flash.Mutated = flash =>
            {
                var now = flash.Content.Slice((int)region.Offset, (int)region.Size);
                if (now.SequenceEqual(before)) return;
                counterPrograms.Add((int)(flash.OperationCount - _startOps));
                before = now.ToArray();
            };
        }
        Drive(clean);
        device.Flash.Mutated = null;
        CounterPrograms = counterPrograms;
        Trace = device.Flash.Trace;
        device.Flash.Trace = null;
        CleanFinalState = clean.FinalState();
        CleanPowerOns = clean.PowerOns;
    }

    /// <summary>Kinds of the T operations of the clean run, in order.</summary>
    public IReadOnlyList<FlashOperationKind> Trace { get; }

    public int TotalOperations => Trace.Count;

    /// <summary>Operation numbers (1-based, like cut points) of the clean run's programs into the counter store.</summary>
    public IReadOnlyList<int> CounterPrograms { get; }

    public IReadOnlyList<string> CleanFinalState { get; }

    public int CleanPowerOns { get; }

    /// <summary>Cut at every operation i in 1..T whose kind fits <paramref name="kind"/>.</summary>
    public SweepResult Sweep(CutKind kind)
    {
        var failures = new List<string>();
        int points = 0, recovered = 0;
        for (var i = 1; i <= Trace.Count; i++)
        {
            var op = Trace[i - 1];
            if (kind == CutKind.TornProgram && op != FlashOperationKind.Program) continue;
            if (kind == CutKind.InterruptedErase && op != FlashOperationKind.Erase) continue;
            points++;
            var error = RunWithFaults([new FaultPlan { CutBeforeOperation = i, CutKind = kind, Seed = i }]);
            if (error is null) recovered++;
            else failures.Add($"{kind} at op {i} ({op}): {error}");
        }
        return new SweepResult(kind.ToString(), points, recovered, failures);
    }

    /// <summary>One run per operation i in 1..T with the fault plan <paramref name="planAt"/>(i) (absolute index filled in).</summary>
    public SweepResult SweepWith(Func<int, FaultPlan> planAt, string mode)
    {
        ArgumentNullException.ThrowIfNull(planAt);
        var failures = new List<string>();
        var recovered = 0;
        for (var i = 1; i <= Trace.Count; i++)
        {
            var error = RunWithFaults([planAt(i)]);
            if (error is null) recovered++;
            else failures.Add($"{mode} at op {i}: {error}");
        }
        return new SweepResult(mode, Trace.Count, recovered, failures);
    }

    /// <summary>One run per operation in <paramref name="operations"/> and seed: a cut of <paramref name="kind"/> there.</summary>
    public SweepResult SweepAt(IReadOnlyList<int> operations, CutKind kind, int seeds = 1)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var failures = new List<string>();
        int points = 0, recovered = 0;
        foreach (var op in operations)
            for (var seed = 0; seed < seeds; seed++)
            {
                points++;
                var error = RunWithFaults([new FaultPlan { CutBeforeOperation = op, CutKind = kind, Seed = op * 1000 + seed }]);
                if (error is null) recovered++;
                else failures.Add($"{kind} at op {op} seed {seed}: {error}");
            }
        return new SweepResult($"{kind} at counter programs", points, recovered, failures);
    }

    /// <summary>k ≤ 5 random successive cuts (random kinds) per seed, then a clean finish.</summary>
    public SweepResult RandomCuts(int seeds, int firstSeed = 1000)
    {
        var failures = new List<string>();
        var recovered = 0;
        for (var seed = firstSeed; seed < firstSeed + seeds; seed++)
        {
            var rng = new Random(seed);
            var k = rng.Next(1, 6);
            var faults = new List<FaultPlan>();
            for (var j = 0; j < k; j++)
                faults.Add(new FaultPlan
                {
                    // Relative offsets; resolved against the op count when armed. Early cuts are more likely to land.
                    CutBeforeOperation = rng.Next(1, Math.Max(2, Trace.Count / 2 + 1)),
                    CutKind = (CutKind)rng.Next(3),
                    Seed = rng.Next(),
                });
            var error = RunWithFaults(faults, relative: true);
            if (error is null) recovered++;
            else failures.Add($"seed {seed} ({k} cuts): {error}");
        }
        return new SweepResult("random", seeds, recovered, failures);
    }

    /// <summary>Runs the scenario from the start state with faults armed one after another; null when everything held.</summary>
    private string? RunWithFaults(IReadOnlyList<FaultPlan> faults, bool relative = false)
    {
        var device = _start.Fork();
        var ctx = _startContext.ForkFor(device);
        var flash = device.Flash;
        var next = 0;
        void ArmNext()
        {
            if (next >= faults.Count) { flash.Arm(FaultPlan.None); return; }
            var f = faults[next++];
            var at = relative ? flash.OperationCount + f.CutBeforeOperation : _startOps + f.CutBeforeOperation;
            flash.Arm(f with { CutBeforeOperation = at });
        }

        try
        {
            ArmNext();
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    Drive(ctx);
                    break;
                }
                catch (PowerCutException)
                {
                    if (attempt > faults.Count) return "power cut although no fault was armed";
                    flash.PowerOn();
                    ArmNext();
                }
            }
            var final = ctx.FinalState();
            return final.SequenceEqual(CleanFinalState)
                ? null
                : $"final state differs:\n  got      {string.Join("\n           ", final)}\n  expected {string.Join("\n           ", CleanFinalState)}";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    private void Drive(ScenarioContext ctx)
    {
        for (var i = 0; i < MaxPowerOns; i++)
        {
            var bl = ctx.PowerOn();
            if (_scenario.Step(ctx, bl)) return;
        }
        throw new InvariantViolationException($"{_scenario.Name} did not reach its goal in {MaxPowerOns} power-ons");
    }
}
