using AtymSecure.Formats.Container;
using AtymSecure.Runtime.Budgets;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Tests.Support;

namespace AtymSecure.Runtime.Tests.Budgets;

/// <summary>The device-wide accountant against real Wasmtime stores: growth beyond the device total fails in the container that grows last.</summary>
public sealed class DeviceMemoryBudgetTests : IDisposable
{
    private const long Page = 65536;

    // Room for two containers' overhead and 6 pages: each container below may grow to 4 pages on its own.
    private readonly TestDevice _device = new(memoryBudgetBytes: (2 * ContainerMemoryOverhead.InProcessBytes) + (6 * Page));

    public void Dispose() => _device.Dispose();

    // Grows one page per slice up to 4 pages, then idles; a failed grow traps (what a C allocator's abort does).
    private const string GrowToFour = """
        (module (memory (export "memory") 1)
          (func (export "atym_step") (result i32)
            (if (i32.lt_u (memory.size) (i32.const 4))
              (then (if (i32.lt_s (memory.grow (i32.const 1)) (i32.const 0)) (then unreachable))))
            (i32.const 0)))
        """;

    private static ContainerSpec Grower(string name) =>
        TestSpecs.Spec(TestSpecs.Config(name, resources: new ResourceLimits { MaxMemoryBytes = 4 * Page, CpuBudgetMs = 1, SliceIntervalMs = 10 }),
            TestSpecs.Wat(name, GrowToFour));

    [Fact]
    public void Two_containers_whose_grows_exceed_the_device_budget_the_second_grow_fails_and_the_first_keeps_running()
    {
        using var runtime = _device.Runtime();
        var first = runtime.Start(Grower("first"));
        Wait.Until(() => _device.Services.Memory.ReservedBytes == ContainerMemoryOverhead.InProcessBytes + (4 * Page), "the first container to reserve its memory");
        var second = runtime.Start(Grower("second"));

        Wait.Until(() => second.IsFinished, "the second container's grow to fail");
        Assert.Equal(OutcomeKind.OutOfMemory, second.LastOutcome!.Kind);
        Assert.Contains($"the device memory budget ({_device.Services.Memory.TotalBytes} bytes for all containers left it {2 * Page} of its {4 * Page}-byte limit)",
            second.LastOutcome.Message, StringComparison.Ordinal);
        // The device keeps running: the first container still holds all four pages, the second's share is released.
        Assert.Equal(ContainerRunState.Running, first.State);
        Assert.Equal(ContainerMemoryOverhead.InProcessBytes + (4 * Page), _device.Services.Memory.ReservedBytes);
    }

    [Fact]
    public void A_run_with_no_room_left_ends_as_out_of_memory_with_the_budget_in_its_message()
    {
        using var device = new TestDevice(memoryBudgetBytes: ContainerMemoryOverhead.InProcessBytes + (4 * Page));
        using var runtime = device.Runtime();
        var first = runtime.Start(Grower("first"));
        Wait.Until(() => device.Services.Memory.ReservedBytes > 0, "the first container to reserve its memory");
        var second = runtime.Start(Grower("second"));
        Wait.Until(() => second.IsFinished, "the second container to be refused");
        Assert.Equal(OutcomeKind.OutOfMemory, second.LastOutcome!.Kind);
        Assert.StartsWith($"device memory budget exhausted: {device.Services.Memory.TotalBytes} bytes for containers", second.LastOutcome.Message, StringComparison.Ordinal);
        Assert.Equal(ContainerRunState.Running, first.State);
    }

    [Fact]
    public void Releasing_a_reservation_returns_its_share_once()
    {
        var accountant = new DeviceMemoryAccountant(ContainerMemoryOverhead.InProcessBytes + (4 * Page));
        var held = accountant.Reserve("a", 4 * Page, ContainerIsolation.InProcess);
        Assert.Equal(4 * Page, held.GrantedBytes);
        Assert.Throws<MemoryBudgetExceededException>(() => accountant.Reserve("b", Page, ContainerIsolation.InProcess));
        held.Dispose();
        held.Dispose();
        Assert.Equal(0, accountant.ReservedBytes);
        using var again = accountant.Reserve("b", 8 * Page, ContainerIsolation.InProcess);
        Assert.Equal((4 * Page, true), (again.GrantedBytes, again.CappedByDevice));
    }

    // Fails before the per-mode overhead: process mode reserved the in-process 1 MiB, so this budget "fit".
    [Fact]
    public void A_process_mode_run_reserves_its_host_process_and_is_refused_where_only_the_in_process_overhead_fits()
    {
        using var device = new TestDevice(memoryBudgetBytes: ContainerMemoryOverhead.InProcessBytes + (4 * Page), realTime: true);
        using var runtime = device.Runtime(ContainerIsolation.Process);
        var refused = runtime.Start(Grower("grower"));
        Wait.Until(() => refused.IsFinished, "the process-mode run to be refused");
        Assert.Equal(OutcomeKind.OutOfMemory, refused.LastOutcome!.Kind);
        Assert.StartsWith($"device memory budget exhausted: {device.Services.Memory.TotalBytes} bytes for containers, 0 reserved by the running ones; " +
            $"'grower' needs at least {ContainerMemoryOverhead.ProcessBytes + Page} (Process mode)", refused.LastOutcome.Message, StringComparison.Ordinal);
        Assert.Equal(0, device.Services.Memory.ReservedBytes);

        // The same budget runs the same container in-process.
        using var inProcess = device.Runtime(ContainerIsolation.InProcess);
        var runs = inProcess.Start(Grower("grower"));
        Wait.Until(() => device.Services.Memory.ReservedBytes == ContainerMemoryOverhead.InProcessBytes + (4 * Page), "the in-process run to reserve its memory");
        Assert.Equal(ContainerRunState.Running, runs.State);
    }

    [Fact]
    public void The_accountant_holds_and_releases_the_overhead_of_the_mode_a_run_reserved_for()
    {
        var accountant = new DeviceMemoryAccountant(ContainerMemoryOverhead.ProcessBytes + (4 * Page));
        var process = accountant.Reserve("p", 4 * Page, ContainerIsolation.Process);
        Assert.Equal((4 * Page, ContainerMemoryOverhead.ProcessBytes), (process.GrantedBytes, process.OverheadBytes));
        Assert.Equal(ContainerMemoryOverhead.ProcessBytes + (4 * Page), accountant.ReservedBytes);
        Assert.Throws<MemoryBudgetExceededException>(() => accountant.Reserve("q", Page, ContainerIsolation.InProcess));
        process.Dispose();
        Assert.Equal(0, accountant.ReservedBytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => accountant.Reserve("auto", Page, ContainerIsolation.Auto));
        Assert.Equal(0, accountant.ReservedBytes);
    }
}
