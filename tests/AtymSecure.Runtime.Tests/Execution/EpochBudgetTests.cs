using AtymSecure.Engines;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Tests.Support;

namespace AtymSecure.Runtime.Tests.Execution;

/// <summary>
/// Epoch engines (the Wasmtime device classes) meter a slice by the thread's CPU time: a runaway loop is
/// stopped after its budget of CPU, and the outcome says how much CPU it used.
/// </summary>
public sealed class EpochBudgetTests : IDisposable
{
    private readonly TestDevice _device = new();

    public void Dispose() => _device.Dispose();

    [Fact]
    public void A_runaway_loop_on_an_epoch_engine_is_stopped_after_its_CPU_budget_and_others_keep_running()
    {
        var profile = EngineProfile.For(DeviceClassTable.LinuxX86_64);
        Assert.Equal(CpuInterruption.Epoch, profile.Interruption);
        using var runtime = _device.Runtime(profile);
        using var sub = _device.Bus.Subscribe("test", "telemetry/#");
        var spin = runtime.Start(TestSpecs.Spec(TestSpecs.Config("spin"), TestSpecs.Wat("spin", """
            (module (memory (export "memory") 1 1)
              (func (export "atym_step") (result i32) (loop $l (br $l)) (i32.const 0)))
            """)));
        var good = runtime.Start(TestSpecs.Spec(TestSpecs.Config("good"), TestSpecs.Wat("good", IsolationTests.Publisher), "publish:telemetry/n"));

        Wait.Until(() => spin.IsFinished, "the spinning container to be stopped");
        var before = sub.Delivered;
        Wait.Until(() => sub.Delivered > before + 3, "the other container to keep publishing");

        Assert.Equal(OutcomeKind.SliceDeadline, spin.LastOutcome!.Kind);
        Assert.Contains("ms of CPU in one slice", spin.LastOutcome.Message, StringComparison.Ordinal);
        Assert.Equal(ContainerRunState.Running, good.State);
    }
}
