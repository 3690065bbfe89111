using System.Diagnostics;
using AtymSecure.Formats.Container;
using AtymSecure.Runtime.Budgets;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Tests.Support;
using Xunit.Abstractions;

namespace AtymSecure.Runtime.Tests.Budgets;

/// <summary>
/// Measures <see cref="ContainerMemoryOverhead.InProcessBytes"/>: process RSS before and after starting idle one-page
/// in-process containers, divided by their number, printed to the test output, and held to the constant. The
/// process-mode figure (<see cref="ContainerMemoryOverhead.ProcessBytes"/>) is not measured here: a child's cost is its
/// PSS (shared runtime pages split between children), which bench/runtime's IsolationCost measures (7.8–9.6 MiB).
/// </summary>
public sealed class ContainerMemoryOverheadTests(ITestOutputHelper output) : IDisposable
{
    private const int Containers = 40;
    private readonly TestDevice _device = new();

    public void Dispose() => _device.Dispose();

    // One page, never grows; sleeps between slices so it holds its store, instance and thread.
    private const string Idle = """
        (module (memory (export "memory") 1 1)
          (func (export "atym_step") (result i32) (i32.const 0)))
        """;

    [Fact]
    public void An_idle_container_costs_less_rss_than_the_overhead_constant()
    {
        using var runtime = _device.Runtime();
        // Warm up: the engine, its code memory and the JIT of the host paths are device costs, not per container.
        var warm = runtime.Start(TestSpecs.Spec(TestSpecs.Config("warm", resources: new ResourceLimits { MaxMemoryBytes = 65536 }), TestSpecs.Wat("warm", Idle)));
        Wait.Until(() => warm.State == ContainerRunState.Running, "the warm-up container to run");
        var before = Rss();
        var started = Enumerable.Range(0, Containers)
            .Select(i => runtime.Start(TestSpecs.Spec(TestSpecs.Config($"idle-{i}", resources: new ResourceLimits { MaxMemoryBytes = 65536 }), TestSpecs.Wat($"idle-{i}", Idle))))
            .ToList();
        Wait.Until(() => started.All(s => s.State == ContainerRunState.Running), "every idle container to run");
        var perContainer = (Rss() - before) / Containers;
        output.WriteLine($"per-container RSS overhead: {perContainer} bytes ({perContainer / 1024.0:F0} KiB) over {Containers} idle one-page containers; constant {ContainerMemoryOverhead.InProcessBytes}");
        Assert.True(perContainer <= ContainerMemoryOverhead.InProcessBytes, $"measured {perContainer} bytes per container, above the {ContainerMemoryOverhead.InProcessBytes}-byte constant");
    }

    private static long Rss()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return self.WorkingSet64;
    }
}
