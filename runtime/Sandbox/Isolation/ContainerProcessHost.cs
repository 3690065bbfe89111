using AtymSecure.Engines;
using AtymSecure.Runtime.Artifacts;
using AtymSecure.Runtime.Budgets;
using AtymSecure.Runtime.Execution;
using Wasmtime;

namespace AtymSecure.Runtime.Isolation;

/// <summary>
/// The program of a container process (<c>AtymSecure.ContainerHost</c> calls <see cref="Run"/>): apply the process
/// limits, read the start frame from stdin, verify the code against the signed metadata again, load it into one
/// engine, run one <see cref="ContainerRun"/> against <see cref="RemoteDeviceCalls"/> on a thread with room for Wasm,
/// report how it ended, exit. Heartbeats go to the agent while the container makes progress: it is in a device call or
/// paused, or returned from one recently (a container that computes past its CPU budget is interrupted by the engine,
/// so a container thread out of calls longer than that is stuck in code the engine cannot interrupt).
/// </summary>
internal static class ContainerProcessHost
{
    public const int ExitOk = 0;
    public const int ExitUsage = 64;
    public const int ExitNoAgent = 69;

    public static int Run(string[] args)
    {
        var agentPid = ParseAgentPid(args);
        if (agentPid is null)
        {
            Console.Error.WriteLine("usage: AtymSecure.ContainerHost --parent-pid PID [--container NAME] (started by the device agent; frames on stdin/stdout, docs/container-ipc.md)");
            return ExitUsage;
        }
        if (ContainerProcessLimits.Apply(agentPid.Value) is { } refusal)
        {
            Console.Error.WriteLine($"container host: {refusal}");
            return ExitNoAgent;
        }
        var channel = new AgentChannel(Console.OpenStandardInput(), Console.OpenStandardOutput());
        var startFrame = channel.ReadStart();
        var start = StartSpec.FromJson(startFrame.Spec);
        var outcome = Execute(channel, start, startFrame.Code);
        channel.Send(new EndedMessage((byte)outcome.Kind, outcome.ExitCode, IpcText.Fit(outcome.Message, IpcLimits.MaxTextBytes)));
        return ExitOk;
    }

    private static RunOutcome Execute(AgentChannel channel, StartSpec start, byte[] code)
    {
        ContainerSpec spec;
        EngineProfile profile;
        try
        {
            spec = start.Spec(code);
            profile = start.Profile();
        }
        catch (Exception e) when (e is ArtifactVerificationException or FormatException or ArgumentException)
        {
            return new RunOutcome(OutcomeKind.LoadFailed, null, $"container process refused its start spec: {e.Message}", TimeSpan.Zero);
        }
        using var engine = EngineFactory.Create(profile);
        Module module;
        try
        {
            module = new ModuleLoader(engine, profile).Load(spec.Code);
        }
        catch (Exception e) when (e is ArtifactIncompatibleException or WasmtimeException)
        {
            return new RunOutcome(OutcomeKind.LoadFailed, null, $"container '{spec.Name}': code does not load: {e.Message}", TimeSpan.Zero);
        }
        using (module)
        {
            var options = start.Options();
            using var control = new RunControl();
            channel.Listen(control);
            var calls = new RemoteDeviceCalls(channel, DateTimeOffset.FromUnixTimeMilliseconds(start.RealtimeOriginUnixMs));
            var memory = new DeviceMemoryAccountant(start.GrantedMemoryBytes + ContainerMemoryOverhead.InProcessBytes);
            var environment = new RunEnvironment(calls, start.MaxLineBytes, memory, start.DeviceBudgetBytes);
            using var ticker = profile.Interruption == CpuInterruption.Epoch
                ? new Timer(_ => engine.IncrementEpoch(), null, options.EpochTick, options.EpochTick)
                : null;
            var interval = TimeSpan.FromMilliseconds(Math.Max(10, start.HeartbeatIntervalMs));
            // Progress: a call within three heartbeats plus one CPU slice (the engine interrupts a longer slice).
            var stall = (long)(3 * interval.TotalMilliseconds) + Math.Max(1, spec.Config.Resources.CpuBudgetMs);
            using var heartbeat = new Timer(_ =>
            {
                if (channel.InCall || control.IsPaused || Environment.TickCount64 - channel.LastCallTicks < stall)
                    channel.Send(new HeartbeatMessage());
            }, null, interval, interval);

            RunOutcome? outcome = null;
            var thread = new Thread(() => outcome = new ContainerRun(spec, module, engine, profile.Interruption, environment, control, options).Execute(),
                maxStackSize: 8 * 1024 * 1024) { Name = $"container:{spec.Name}" };
            thread.Start();
            thread.Join();
            var ended = outcome ?? new RunOutcome(OutcomeKind.LoadFailed, null, "container thread ended without an outcome", TimeSpan.Zero);
            // As the in-process supervisor does: a probe still pending learns why the run ended (a link failure names the
            // missing grant), not the bare "disposed" the control's Dispose would answer once this method returns.
            control.FailPendingProbes($"container run ended: {ended}");
            return ended;
        }
    }

    private static int? ParseAgentPid(string[] args)
    {
        for (var i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] == "--parent-pid" && int.TryParse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture, out var pid) && pid > 0) return pid;
        }
        return null;
    }
}
