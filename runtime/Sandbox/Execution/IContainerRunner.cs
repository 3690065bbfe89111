using AtymSecure.Engines;
using AtymSecure.Runtime.DeviceApi;
using Wasmtime;

namespace AtymSecure.Runtime.Execution;

/// <summary>
/// One run of a container, to its end, on the supervisor's thread: in-process (<see cref="InProcessRunner"/>) or in a
/// container process (<see cref="Isolation.ContainerProcessRunner"/>). Either way the supervisor sees the same
/// <see cref="RunOutcome"/> and drives the run through the same <see cref="RunControl"/>, so restarts, crash loops
/// and trials do not depend on the mode.
/// </summary>
internal interface IContainerRunner
{
    RunOutcome Run(RunControl control);
}

/// <summary>A run in this process: the container's store on the calling thread.</summary>
internal sealed class InProcessRunner(ContainerSpec spec, Module module, Engine engine, CpuInterruption interruption, DeviceServices services, RuntimeOptions options) : IContainerRunner
{
    public RunOutcome Run(RunControl control) =>
        new ContainerRun(spec, module, engine, interruption, RunEnvironment.Local(spec, services), control, options).Execute();
}
