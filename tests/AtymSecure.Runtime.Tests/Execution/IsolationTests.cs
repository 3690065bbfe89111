using AtymSecure.Formats.Container;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Tests.Support;

namespace AtymSecure.Runtime.Tests.Execution;

public sealed class IsolationTests : IDisposable
{
    private readonly TestDevice _device = new();

    // A step container that publishes a counter on "telemetry/n" every slice.
    internal const string Publisher = """
        (module
          (import "atym" "publish" (func $publish (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1 2)
          (data (i32.const 0) "telemetry/n")
          (global $n (mut i32) (i32.const 0))
          (func (export "atym_step") (result i32)
            (global.set $n (i32.add (global.get $n) (i32.const 1)))
            (i32.store (i32.const 64) (global.get $n))
            (drop (call $publish (i32.const 0) (i32.const 11) (i32.const 64) (i32.const 4)))
            (i32.const 0))
          (func (export "atym_health") (result i32) (i32.const 0)))
        """;

    private const string Trapper = """
        (module (memory (export "memory") 1 1)
          (func (export "atym_step") (result i32) unreachable))
        """;

    private const string Spinner = """
        (module (memory (export "memory") 1 1)
          (func (export "atym_step") (result i32) (loop $l (br $l)) (i32.const 0)))
        """;

    private const string OutOfBounds = """
        (module (memory (export "memory") 1 1)
          (func (export "atym_step") (result i32) (i32.load (i32.const 70000))))
        """;

    private const string Grower = """
        (module (memory (export "memory") 1)
          (func (export "atym_step") (result i32)
            (if (i32.lt_s (memory.grow (i32.const 1)) (i32.const 0)) (then unreachable))
            (i32.const 0)))
        """;

    private const string DeepRecursion = """
        (module (memory (export "memory") 1 1)
          (func $r (param i32) (result i32) (call $r (i32.add (local.get 0) (i32.const 1))))
          (func (export "atym_step") (result i32) (call $r (i32.const 0))))
        """;

    [Fact]
    public void Trap_stops_only_that_container_while_others_keep_publishing()
    {
        using var runtime = _device.Runtime();
        using var sub = _device.Bus.Subscribe("test", "telemetry/#");
        var good = runtime.Start(TestSpecs.Spec(TestSpecs.Config("good"), TestSpecs.Wat("good", Publisher), "publish:telemetry/n"));
        var bad = runtime.Start(TestSpecs.Spec(TestSpecs.Config("bad"), TestSpecs.Wat("bad", Trapper)));
        var spin = runtime.Start(TestSpecs.Spec(TestSpecs.Config("spin"), TestSpecs.Wat("spin", Spinner)));
        var oob = runtime.Start(TestSpecs.Spec(TestSpecs.Config("oob"), TestSpecs.Wat("oob", OutOfBounds)));

        Wait.Until(() => bad.IsFinished && spin.IsFinished && oob.IsFinished, "the failing containers to end");
        var before = sub.Delivered;
        Wait.Until(() => sub.Delivered > before + 5, "the good container to keep publishing");

        Assert.Equal(ContainerRunState.Running, good.State);
        Assert.Equal(ContainerRunState.Error, bad.State);
        Assert.Equal(OutcomeKind.Trapped, bad.LastOutcome!.Kind);
        Assert.Contains("unreachable", bad.LastOutcome.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(OutcomeKind.OutOfFuel, spin.LastOutcome!.Kind);
        Assert.Equal(OutcomeKind.Trapped, oob.LastOutcome!.Kind);
        Assert.Contains("out of bounds", oob.LastOutcome.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Memory_limit_stops_growth_and_the_container()
    {
        using var runtime = _device.Runtime();
        var config = TestSpecs.Config("grower", resources: new ResourceLimits { MaxMemoryBytes = 4 * 65536, CpuBudgetMs = 1, SliceIntervalMs = 10 });
        var grower = runtime.Start(TestSpecs.Spec(config, TestSpecs.Wat("grower", Grower)));
        Wait.Until(() => grower.IsFinished, "the grower to hit its limit");
        Assert.Equal(OutcomeKind.OutOfMemory, grower.LastOutcome!.Kind);
        Assert.Contains("262144", grower.LastOutcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Initial_memory_above_the_limit_fails_as_out_of_memory()
    {
        using var runtime = _device.Runtime();
        var config = TestSpecs.Config("big", resources: new ResourceLimits { MaxMemoryBytes = 65536 });
        var big = runtime.Start(TestSpecs.Spec(config, TestSpecs.Wat("big", "(module (memory (export \"memory\") 4) (func (export \"atym_step\") (result i32) (i32.const 0)))")));
        Wait.Until(() => big.IsFinished, "instantiation to fail");
        Assert.Equal(OutcomeKind.OutOfMemory, big.LastOutcome!.Kind);
    }

    [Fact]
    public void Stack_limit_from_the_container_config_ends_deep_recursion()
    {
        using var runtime = _device.Runtime();
        var config = TestSpecs.Config("deep", resources: new ResourceLimits { MaxStackBytes = 64 * 1024, CpuBudgetMs = 100 });
        var deep = runtime.Start(TestSpecs.Spec(config, TestSpecs.Wat("deep", DeepRecursion)));
        Wait.Until(() => deep.IsFinished, "the recursion to overflow");
        Assert.Equal(OutcomeKind.StackOverflow, deep.LastOutcome!.Kind);
    }

    [Fact]
    public void Stop_pause_and_resume_a_running_container()
    {
        using var runtime = _device.Runtime();
        using var sub = _device.Bus.Subscribe("test", "telemetry/n");
        var c = runtime.Start(TestSpecs.Spec(TestSpecs.Config("pub"), TestSpecs.Wat("pub", Publisher), "publish:telemetry/n"));
        Wait.Until(() => sub.Pending > 0, "first publish");
        c.Pause();
        Assert.Equal(ContainerRunState.Paused, c.State);
        c.Resume();
        Assert.Equal(ContainerRunState.Running, c.State);
        Assert.True(c.Stop(TimeSpan.FromSeconds(30)));
        Assert.Equal(ContainerRunState.Stopped, c.State);
        Assert.Equal(OutcomeKind.Stopped, c.LastOutcome!.Kind);
    }

    public void Dispose() => _device.Dispose();
}
