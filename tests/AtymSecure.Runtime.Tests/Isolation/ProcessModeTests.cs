using System.Buffers.Binary;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Engines;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Tests.Support;

namespace AtymSecure.Runtime.Tests.Isolation;

/// <summary>
/// Issue 11 §1, defence in depth: on a Linux-class device each container runs in its own OS process, so hand-edited
/// native code that exits, faults or spins ends (or is killed with) that container only, while another vendor's
/// container keeps running with its state intact. In-process, each of these takes the whole device down (the test
/// host itself: that is why none of them can run in-process).
/// </summary>
[Collection(ContainerProcessCollection.Name)]
public sealed class ProcessModeTests : IDisposable
{
    private static readonly EngineProfile X86 = EngineProfile.For(DeviceClassTable.LinuxX86_64);
    private readonly TestDevice _device = new(realTime: true);

    /// <summary>Counts its steps in a global and in its key-value store ("count"), and passes its probe.</summary>
    internal const string Steady = """
        (module
          (import "atym" "kv_set" (func $kv_set (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1 1)
          (data (i32.const 0) "count")
          (global $n (export "steps") (mut i32) (i32.const 0))
          (func (export "atym_step") (result i32)
            (global.set $n (i32.add (global.get $n) (i32.const 1)))
            (i32.store (i32.const 16) (global.get $n))
            (drop (call $kv_set (i32.const 0) (i32.const 5) (i32.const 16) (i32.const 4)))
            (i32.const 0))
          (func (export "atym_health") (result i32) (i32.const 0)))
        """;

    private static ContainerConfig Config(string name, RestartPolicy? restart = null) =>
        TestSpecs.Config(name, resources: new ResourceLimits { MaxMemoryBytes = 131072, CpuBudgetMs = 20, SliceIntervalMs = 20 },
            health: new HealthCheck { TimeoutMs = 1000 }, restart: restart ?? new RestartPolicy { Mode = RestartMode.Never },
            permissions: [Capability.Parse("kv")]);

    private int StoredCount()
    {
        var value = _device.Kv.For("steady").Get("count"u8);
        return value is null ? 0 : BinaryPrimitives.ReadInt32LittleEndian(value);
    }

    [Fact]
    public void Linux_class_runtimes_default_to_process_mode_and_others_to_in_process()
    {
        Assert.Equal(ContainerIsolation.Process, new RuntimeOptions().ResolveIsolation(X86));
        Assert.Equal(ContainerIsolation.Process, new RuntimeOptions().ResolveIsolation(EngineProfile.For(DeviceClassTable.Get("linux-aarch64"))));
        Assert.Equal(ContainerIsolation.InProcess, new RuntimeOptions().ResolveIsolation(EngineProfile.For(DeviceClassTable.PortablePulley64)));
        Assert.Equal(ContainerIsolation.InProcess, new RuntimeOptions().ResolveIsolation(EngineProfile.HostWasm()));
        Assert.Equal(ContainerIsolation.InProcess, new RuntimeOptions { Isolation = ContainerIsolation.InProcess }.ResolveIsolation(X86));
    }

    [Fact]
    public async Task A_container_process_runs_steps_serves_probes_and_stops_on_request()
    {
        using (var runtime = _device.Runtime(X86))
        {
            Assert.Equal(ContainerIsolation.Process, runtime.Isolation);
            var steady = runtime.Start(TestSpecs.Spec(Config("steady"), HandEditedNativeCode.Compiled(X86, "steady", Steady), "kv"));
            Wait.Until(() => StoredCount() >= 3, "three steps stored through the agent's key-value store");
            Assert.Single(ContainerProcessCheck.ChildrenRunningTheHost());
            var probe = await steady.Probe().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(probe.Passed, probe.Detail);
            Assert.True(steady.Stop(TimeSpan.FromSeconds(30)));
            Assert.Equal(ContainerRunState.Stopped, steady.State);
            Assert.True(steady.LastOutcome!.Kind == OutcomeKind.Stopped, steady.LastOutcome.ToString());
        }
        ContainerProcessCheck.NoneLeft();
    }

    [Fact]
    public async Task Native_exit_ends_only_that_container_and_the_other_keeps_running_with_its_state()
    {
        using (var runtime = _device.Runtime(X86))
        {
            var steady = runtime.Start(TestSpecs.Spec(Config("steady"), HandEditedNativeCode.Compiled(X86, "steady", Steady), "kv"));
            Wait.Until(() => StoredCount() >= 3, "the steady container stores its count");

            var restart = new RestartPolicy { Mode = RestartMode.OnFailure, MaxRetries = 2, BackoffInitialMs = 10, BackoffMaxMs = 20 };
            var exiter = runtime.Start(TestSpecs.Spec(Config("exiter", restart), HandEditedNativeCode.Artifact(X86, "exiter", HandEditedNativeCode.ExitGroup(7))));
            Wait.Until(() => exiter.IsFinished, "the exiting container to be given up");

            // Counted as a trap, restarted by the policy like any trap, then given up as a crash loop.
            Assert.True(exiter.LastOutcome!.Kind == OutcomeKind.Trapped, exiter.LastOutcome.ToString());
            Assert.Contains("ended without reporting an outcome: exit code 7", exiter.LastOutcome.Message, StringComparison.Ordinal);
            Assert.Equal(2, exiter.Restarts);
            Assert.True(exiter.CrashLoop);
            Assert.Equal(ContainerRunState.Error, exiter.State);

            // The other vendor's container: same run, never restarted, still counting, still healthy.
            var before = StoredCount();
            Wait.Until(() => StoredCount() > before + 2, "the steady container keeps stepping after the other one's exit");
            Assert.Equal(ContainerRunState.Running, steady.State);
            Assert.Equal(0, steady.Restarts);
            Assert.Single(steady.History, e => e.State == ContainerRunState.Running);
            var probe = await steady.Probe().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(probe.Passed, probe.Detail);
        }
        ContainerProcessCheck.NoneLeft();
    }

    [Fact]
    public void Native_fault_is_a_trap_of_that_container_naming_the_signal()
    {
        using (var runtime = _device.Runtime(X86))
        {
            var faulty = runtime.Start(TestSpecs.Spec(Config("faulty"), HandEditedNativeCode.Artifact(X86, "faulty", HandEditedNativeCode.NullWrite)));
            Wait.Until(() => faulty.IsFinished, "the faulting container's end");
            Assert.True(faulty.LastOutcome!.Kind == OutcomeKind.Trapped, faulty.LastOutcome.ToString());
            Assert.Contains("killed by signal", faulty.LastOutcome.Message, StringComparison.Ordinal);
        }
        ContainerProcessCheck.NoneLeft();
    }

    [Fact]
    public void Code_the_engine_cannot_interrupt_is_killed_when_its_process_stops_answering()
    {
        var options = new RuntimeOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(100), HeartbeatTimeout = TimeSpan.FromSeconds(2) };
        using (var runtime = _device.Runtime(X86, options))
        {
            var spinner = runtime.Start(TestSpecs.Spec(Config("spinner"), HandEditedNativeCode.Artifact(X86, "spinner", HandEditedNativeCode.Spin)));
            Wait.Until(() => spinner.IsFinished, "the spinning container to be killed");
            Assert.True(spinner.LastOutcome!.Kind == OutcomeKind.Trapped, spinner.LastOutcome.ToString());
            Assert.Contains("stopped answering", spinner.LastOutcome.Message, StringComparison.Ordinal);
        }
        ContainerProcessCheck.NoneLeft();
    }

    public void Dispose() => _device.Dispose();
}

/// <summary>Process-mode tests run one at a time: each counts the container processes of this test process.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ContainerProcessCollection
{
    public const string Name = "container processes";
}
