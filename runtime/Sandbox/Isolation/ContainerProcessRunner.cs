using System.Collections.Concurrent;
using System.Diagnostics;
using AtymSecure.Engines;
using AtymSecure.Formats.Bundle;
using AtymSecure.Runtime.Artifacts;
using AtymSecure.Runtime.Budgets;
using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Logging;

namespace AtymSecure.Runtime.Isolation;

/// <summary>
/// Process mode, agent side: one run of a container = one container process (<c>AtymSecure.ContainerHost</c>). The
/// run's memory is reserved on the device-wide accountant here; the child gets the spec, the verified code and that
/// reservation in the start frame, runs one Wasmtime store, and reaches the device only through calls that this side
/// answers with <see cref="DeviceCallServer"/>. Stop, pause, resume and probes of the <see cref="RunControl"/> are
/// forwarded as frames. Whatever happens to the child — it exits, is killed by a signal (a native fault), breaks the
/// protocol, or stays silent past <see cref="RuntimeOptions.HeartbeatTimeout"/> — becomes this run's
/// <see cref="RunOutcome"/> (a trap unless the child reported its end; a stop whenever the agent asked for one), and the supervisor restarts or gives up
/// exactly as for an in-process trap. The child is always gone when <see cref="Run"/> returns.
/// </summary>
/// <remarks>
/// Threads per run: the supervisor's (this pump: calls, results), a reader of the child's stdout (frames, decoded as
/// hostile input with <see cref="IpcLimits.MaxChildFrameBytes"/>), a reader of its stderr (a few lines kept for the
/// log), and a writer (every frame to the child goes through one queue, so a forward never blocks a caller). The child
/// is started from the supervisor's thread on purpose: its <c>PR_SET_PDEATHSIG</c> fires when the thread that forked
/// it ends, and this thread outlives the run.
/// </remarks>
internal sealed class ContainerProcessRunner(ContainerSpec spec, EngineProfile profile, DeviceServices services, RuntimeOptions options, int stackBytes) : IContainerRunner
{
    /// <summary>What the agent checks before handing code to a container process: the same header checks as a load, without mapping the code.</summary>
    /// <exception cref="ArtifactIncompatibleException">The code cannot run on this engine.</exception>
    public static void CheckLoadable(ContainerSpec spec, EngineProfile profile)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Code.Kind == ArtifactKind.Wasm)
        {
            if (spec.Code.Bytes.Length < 8 || !spec.Code.Bytes[..4].SequenceEqual("\0asm"u8))
                throw new ArtifactIncompatibleException($"artifact '{spec.Code.Name}' is declared as Wasm but has no Wasm header");
            return;
        }
        using var engine = EngineFactory.Create(profile);
        new ModuleLoader(engine, profile).CheckCompatible(spec.Code);
    }

    public RunOutcome Run(RunControl control)
    {
        ArgumentNullException.ThrowIfNull(control);
        var started = services.Uptime;
        MemoryReservation reservation;
        try
        {
            reservation = services.Memory.Reserve(spec.Name, spec.Config.Resources.MaxMemoryBytes, ContainerIsolation.Process);
        }
        catch (MemoryBudgetExceededException e)
        {
            return new RunOutcome(OutcomeKind.OutOfMemory, null, e.Message, TimeSpan.Zero);
        }
        using (reservation)
        {
            var limits = RunEnvironment.LogLimitsFor(spec, services);
            var calls = new LocalDeviceCalls(spec.Name, spec.Grants, spec.Blobs, services, limits);
            try
            {
                using var child = new ChildConnection(spec.Name, ContainerHostLocator.Locate(options.ContainerHostPath), options, calls);
                var start = StartSpec.For(spec, profile, options, reservation.GrantedBytes, services.Memory.TotalBytes, limits.MaxLineBytes, stackBytes, services.RealtimeOrigin);
                var end = child.Run(new StartMessage(start.ToJson(), spec.Code.Bytes.ToArray()), control, new DeviceCallServer(calls));
                return Classify(end, control, services.Uptime - started);
            }
            finally
            {
                calls.Release();
            }
        }
    }

    /// <summary>
    /// The run's outcome from what the child did. A run the agent asked to stop is <see cref="OutcomeKind.Stopped"/>
    /// whatever the child reported or however it ended (<see cref="RunOutcome.AsRequestedStop"/>): the stop and the
    /// child's last frames cross on the pipe, so what the child saw is no measure of what the agent asked for.
    /// </summary>
    private RunOutcome Classify(ChildEnd end, RunControl control, TimeSpan duration)
    {
        var observed = ClassifyChild(end, control.Stopping.IsCancellationRequested, duration);
        return control.Stopping.IsCancellationRequested ? observed.AsRequestedStop() : observed;
    }

    private RunOutcome ClassifyChild(ChildEnd end, bool stopRequested, TimeSpan duration)
    {
        if (end.Violation is { } violation)
            return new RunOutcome(OutcomeKind.Trapped, null, $"container process broke the IPC protocol and was killed: {violation}", duration);
        if (end.Reported is { } ended)
        {
            var kind = (OutcomeKind)ended.Kind;
            // A child cannot make a failure look like a requested stop.
            if (kind == OutcomeKind.Stopped && !stopRequested)
                return new RunOutcome(OutcomeKind.Trapped, null, $"container process reported a stop nobody asked for: {ended.Message}", duration);
            return new RunOutcome(kind, ended.ExitCode, ended.Message, duration);
        }
        if (stopRequested) return new RunOutcome(OutcomeKind.Stopped, null, "stopped on request (container process ended)", duration);
        if (end.Silent) return new RunOutcome(OutcomeKind.Trapped, null, $"container process stopped answering for {options.HeartbeatTimeout.TotalSeconds:F0} s and was killed", duration);
        return new RunOutcome(OutcomeKind.Trapped, null, $"container process ended without reporting an outcome: {DescribeExit(end.ExitCode)}", duration);
    }

    /// <summary>.NET reports a process killed by signal N as exit code 128 + N.</summary>
    internal static string DescribeExit(int? code) => code switch
    {
        null => "exit status unknown",
        > 128 and < 128 + 65 => $"killed by signal {code - 128}{SignalName(code.Value - 128)} (exit status {code})",
        _ => $"exit code {code}",
    };

    private static string SignalName(int signal) => signal switch
    {
        4 => " (SIGILL)",
        6 => " (SIGABRT)",
        7 => " (SIGBUS)",
        8 => " (SIGFPE)",
        9 => " (SIGKILL)",
        11 => " (SIGSEGV)",
        15 => " (SIGTERM)",
        _ => "",
    };
}

/// <summary>How a container process ended, as the agent saw it.</summary>
internal sealed record ChildEnd(EndedMessage? Reported, int? ExitCode, string? Violation, bool Silent);

/// <summary>The live processes of process mode in this agent (tests check none is left behind).</summary>
internal static class ContainerProcesses
{
    private static readonly ConcurrentDictionary<int, string> Live = new();

    public static IReadOnlyCollection<int> LiveIds => [.. Live.Keys];

    internal static void Add(int pid, string container) => Live[pid] = container;

    internal static void Remove(int pid) => Live.TryRemove(pid, out _);
}
