using AtymSecure.Engines;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Tests.Support;
using Wasmtime;

namespace AtymSecure.Runtime.Tests.Execution;

/// <summary>
/// Runtimes of many devices in one process (a fleet simulation) share one <see cref="EngineCache"/>: one engine per profile
/// and stack limit for all of them, one epoch ticker that still stops a runaway container on its own budget, and a runtime
/// that would count budgets in other ticks than the shared ticker's is refused.
/// </summary>
public sealed class EngineCacheTests : IDisposable
{
    private readonly TestDevice _first = new();
    private readonly TestDevice _second = new();

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
    }

    [Fact]
    public void Two_runtimes_on_a_shared_cache_use_one_engine_and_the_shared_ticker_still_enforces_cpu_budgets()
    {
        var profile = EngineProfile.For(DeviceClassTable.LinuxX86_64);
        using var engines = new EngineCache(new RuntimeOptions().EpochTick);
        var options = new RuntimeOptions { Isolation = ContainerIsolation.InProcess, SharedEngines = engines };
        Engine shared;
        using (var a = _first.Runtime(profile, options))
        using (var b = _second.Runtime(profile, options))
        {
            shared = a.EngineFor(16 * 1024);
            Assert.Same(shared, b.EngineFor(16 * 1024));
            Assert.Equal(1, engines.Count);
            var spin = b.Start(TestSpecs.Spec(TestSpecs.Config("spin"), TestSpecs.Wat("spin", """
                (module (memory (export "memory") 1 1)
                  (func (export "atym_step") (result i32) (loop $l (br $l)) (i32.const 0)))
                """)));
            Wait.Until(() => spin.IsFinished, "the spinning container to be stopped by the shared epoch ticker");
            Assert.Equal(OutcomeKind.SliceDeadline, spin.LastOutcome!.Kind);
        }
        // Disposing the runtimes leaves the shared engines to their owner: the same engine, still usable (a disposed one throws).
        Assert.Same(shared, engines.For(profile, ContainerRuntime.StackBytesFor(16 * 1024)));
        using var module = Module.FromText(shared, "after", "(module)");
    }

    [Fact]
    public void A_runtime_whose_epoch_tick_differs_from_the_shared_tickers_is_refused()
    {
        using var engines = new EngineCache(TimeSpan.FromMilliseconds(10));
        var e = Assert.Throws<EngineConfigurationException>(() =>
            _first.Runtime(EngineProfile.For(DeviceClassTable.LinuxX86_64), new RuntimeOptions { SharedEngines = engines, EpochTick = TimeSpan.FromMilliseconds(20) }));
        Assert.Contains("shared engines tick every 10 ms", e.Message, StringComparison.Ordinal);
    }
}
