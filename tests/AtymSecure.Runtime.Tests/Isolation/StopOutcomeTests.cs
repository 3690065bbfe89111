using AtymSecure.Engines;
using AtymSecure.Formats.Container;
using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Runtime.Drivers;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Isolation;
using AtymSecure.Runtime.Tests.Support;
using Wasmtime;

namespace AtymSecure.Runtime.Tests.Isolation;

/// <summary>
/// The agent knows when it asked a run to stop, so such a run's outcome is <see cref="OutcomeKind.Stopped"/> whatever the
/// container was doing when the stop reached it: sleeping, mid-step, returning its exit code. In process mode the
/// stop ends the agent-side sleep and is also a frame to the child; a full-suite run once saw the sleep's "stopped"
/// reply overtake the stop frame, and the child called its own end a trap ("container stopped while sleeping").
/// Each test runs in both modes; where a moment matters (the container asleep, the container inside a step) the test
/// waits for that moment through the device (a held sleep, a sensor read that blocks) rather than for time to pass.
/// </summary>
[Collection(ContainerProcessCollection.Name)]
public sealed class StopOutcomeTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>The sleep the device never ends by itself (<see cref="HoldingClock"/>): only a stop does.</summary>
    private static readonly TimeSpan Held = TimeSpan.FromMilliseconds(60_000);

    private const string Sleeper = """
        (module
          (import "atym" "sleep_ms" (func $sleep (param i32)))
          (memory (export "memory") 1 1)
          (func (export "_start") (loop $again (call $sleep (i32.const 60000)) (br $again))))
        """;

    /// <summary>Reads the sensor "gate" (the test's driver blocks there), then returns the global's value from the step.</summary>
    private static string GatedStep(int stepResult) => $$"""
        (module
          (import "atym" "sensor_read" (func $read (param i32 i32 i32) (result i32)))
          (memory (export "memory") 1 1)
          (data (i32.const 0) "gate")
          (func (export "atym_step") (result i32)
            (drop (call $read (i32.const 0) (i32.const 4) (i32.const 16)))
            (i32.const {{stepResult}})))
        """;

    private readonly TestDevice _device = new();

    public static TheoryData<ContainerIsolation, int> ModesAndStepResults => new()
    {
        { ContainerIsolation.InProcess, 0 },
        { ContainerIsolation.InProcess, 1 },
        { ContainerIsolation.Process, 0 },
        { ContainerIsolation.Process, 1 },
    };

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void A_sleeping_container_stopped_fifty_times_is_stopped_every_time(ContainerIsolation mode)
    {
        using var clock = new HoldingClock(_device.Clock, Held);
        var services = Services(clock, _device.Sensors);
        var spec = TestSpecs.Spec(Config("sleeper", ContainerConfig.StartEntrypoint, "clock"), TestSpecs.Wat("sleeper", Sleeper), "clock");
        for (var i = 0; i < 50; i++)
        {
            clock.Entered.Reset();
            using (var runtime = new ContainerRuntime(EngineProfile.HostWasm(), services, new RuntimeOptions { Isolation = mode }))
            {
                var sleeper = runtime.Start(spec);
                Assert.True(clock.Entered.Wait(Bound), $"iteration {i}: the container never fell asleep ({sleeper.LastOutcome})");
                Assert.True(sleeper.Stop(Bound), $"iteration {i}: the stop did not end the run");
                Assert.Equal(ContainerRunState.Stopped, sleeper.State);
                Assert.True(sleeper.LastOutcome!.Kind == OutcomeKind.Stopped, $"iteration {i}: {sleeper.LastOutcome}");
            }
        }
        ContainerProcessCheck.NoneLeft();
    }

    [Fact]
    public void A_stop_whose_frame_reaches_the_child_after_the_sleep_it_ended_is_still_a_stop()
    {
        // The order the flaky run saw, made certain: the stop's frame is held back (this handler runs before the
        // connection's own and returns only once the run is over) while the stop has already ended the agent-side sleep.
        using var clock = new HoldingClock(_device.Clock, Held);
        var spec = TestSpecs.Spec(Config("sleeper", ContainerConfig.StartEntrypoint, "clock"), TestSpecs.Wat("sleeper", Sleeper), "clock");
        using var control = new RunControl();
        using var ended = new ManualResetEventSlim();
        control.Changed += () =>
        {
            if (control.Stopping.IsCancellationRequested) ended.Wait(Bound);
        };
        var run = new DirectRun(ProcessRunner(spec, Services(clock, _device.Sensors)), control, ended);

        Assert.True(clock.Entered.Wait(Bound), "the container never fell asleep");
        control.RequestStop();
        var outcome = run.Outcome();

        Assert.True(outcome.Kind == OutcomeKind.Stopped, outcome.ToString());
        // The child itself saw the stop before the sleep's reply: the agent forwards a stop before any reply it decided.
        Assert.Equal("stopped on request", outcome.Message);
        ContainerProcessCheck.NoneLeft();
    }

    [Theory]
    [MemberData(nameof(ModesAndStepResults))]
    public void A_container_stopped_in_the_middle_of_a_step_is_stopped_whatever_the_step_returns(ContainerIsolation mode, int stepResult)
    {
        using var gate = new GateSensor();
        var services = Services(_device.Clock, gate);
        var name = $"stepper-{stepResult}";
        var spec = TestSpecs.Spec(Config(name, "atym_step", "sensor:gate"), TestSpecs.Wat(name, GatedStep(stepResult)), "sensor:gate");
        using var control = new RunControl();
        using var ended = new ManualResetEventSlim();
        var run = new DirectRun(mode == ContainerIsolation.Process ? ProcessRunner(spec, services) : InProcessRunner(spec, services), control, ended);

        Assert.True(gate.Entered.Wait(Bound), "the step never reached its sensor read");
        control.RequestStop();
        gate.Open.Set();
        var outcome = run.Outcome();

        // Step result 1 is the container ending by itself exactly as the stop arrives: still the stop the agent asked for.
        Assert.True(outcome.Kind == OutcomeKind.Stopped, outcome.ToString());
        ContainerProcessCheck.NoneLeft();
    }

    private DeviceServices Services(TimeProvider clock, ISensorDriver sensors) =>
        new(clock, _device.Log, sensors, _device.Gpio, _device.Bus, _device.Kv);

    private static ContainerConfig Config(string name, string entrypoint, string permission) =>
        TestSpecs.Config(name, entrypoint, new ResourceLimits { MaxMemoryBytes = 131072, CpuBudgetMs = 20, SliceIntervalMs = 1 },
            permissions: [Capability.Parse(permission)]);

    private static ContainerProcessRunner ProcessRunner(ContainerSpec spec, DeviceServices services) =>
        new(spec, EngineProfile.HostWasm(), services, new RuntimeOptions { Isolation = ContainerIsolation.Process }, ContainerRuntime.StackBytesFor(spec.Config.Resources.MaxStackBytes));

    private static InProcessRunner InProcessRunner(ContainerSpec spec, DeviceServices services)
    {
        var profile = EngineProfile.HostWasm();
        var engine = EngineFactory.Create(profile);
        return new(spec, Module.FromBytes(engine, spec.Name, spec.Code.Bytes.ToArray()), engine, profile.Interruption, services, new RuntimeOptions());
    }

    public void Dispose() => _device.Dispose();

    /// <summary>
    /// One run driven by the test's own <see cref="RunControl"/> (the supervisor's <c>Stop</c> would wait for the run,
    /// so the test could not act between the stop and the container's next step). The run's thread outlives the child
    /// it starts, as the supervisor's does.
    /// </summary>
    private sealed class DirectRun
    {
        private readonly Thread _thread;
        private RunOutcome? _outcome;
        private Exception? _failure;

        public DirectRun(IContainerRunner runner, RunControl control, ManualResetEventSlim ended)
        {
            _thread = new Thread(() =>
            {
                try
                {
                    _outcome = runner.Run(control);
                }
#pragma warning disable CA1031 // Reported by Outcome() on the test's thread instead of ending the test host.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    _failure = e;
                }
                ended.Set();
            }, maxStackSize: 8 * 1024 * 1024) { IsBackground = true, Name = "direct-run" };
            _thread.Start();
        }

        public RunOutcome Outcome()
        {
            Assert.True(_thread.Join(Bound), "the run did not end after its stop");
            if (_failure is not null) throw new InvalidOperationException("the run threw", _failure);
            return _outcome!;
        }
    }

    /// <summary>A sensor "gate" whose read blocks until the test opens it: the container is then inside its step.</summary>
    private sealed class GateSensor : ISensorDriver, IDisposable
    {
        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Open { get; } = new();

        public IReadOnlyCollection<string> Names => ["gate"];

        public bool TryRead(string name, out double value)
        {
            value = 1;
            Entered.Set();
            return Open.Wait(Bound);
        }

        public void Dispose()
        {
            Entered.Dispose();
            Open.Dispose();
        }
    }
}
