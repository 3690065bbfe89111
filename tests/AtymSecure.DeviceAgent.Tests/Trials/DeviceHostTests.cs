using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.DeviceAgent.Trials;
using AtymSecure.Engines;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Primitives;
using AtymSecure.Runtime.Artifacts;
using AtymSecure.Runtime.Blobs;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Health;
using AtymSecure.Runtime.Permissions;

namespace AtymSecure.DeviceAgent.Tests.Trials;

/// <summary>
/// Trials of the committed sample versions through <see cref="DeviceHost"/>, on virtual time. The samples reach the host
/// as a device gets them: a container image read back by <see cref="SlotImageLoader"/>.
/// </summary>
public sealed class DeviceHostTests : IDisposable
{
    private readonly VirtualDeviceServices _device = new();
    private readonly RecordingDecision _decisions = new();

    private DeviceHost Host() => new(EngineProfile.HostWasm(), _device.Services, _decisions);

    private static ContainerSpec Sample(string directory)
    {
        var image = TestBundles.Image(directory);
        return SlotImageLoader.FromImage(image, AtymSecure.Formats.ContainerImage.ContainerImageReader.Read(image).Config.Name, "linux-x86_64");
    }

    [Fact]
    public void Good_update_passes_its_trial_and_is_confirmed()
    {
        using var host = Host();
        var v1 = Sample("sensor-filter");
        host.Run(v1);
        var result = host.RunTrial(Sample("sensor-filter-v1.1.0"), v1, CancellationToken.None);
        Assert.Equal(TrialVerdict.Passed, result.Verdict);
        Assert.Equal(["confirm sensor-filter"], _decisions.Calls);
        Assert.Equal("1.1.0", host.Runtime.Find("sensor-filter")!.Spec.Version);
        Assert.Equal(ContainerRunState.Running, host.Runtime.Find("sensor-filter")!.State);
    }

    [Fact]
    public void Bad_update_fails_its_probe_is_rejected_and_the_old_version_runs_again()
    {
        using var host = Host();
        using var sub = _device.Bus.Subscribe("test", "telemetry/temp");
        var v1 = Sample("sensor-filter");
        var result = host.RunTrial(Sample("sensor-filter-bad"), v1, CancellationToken.None);
        Assert.Equal(TrialVerdict.Failed, result.Verdict);
        Assert.Contains("probe returned 3", result.Reason, StringComparison.Ordinal);
        Assert.Equal(["reject sensor-filter"], _decisions.Calls);
        Assert.Equal("1.0.0", result.RunningVersion);
        var running = host.Runtime.Find("sensor-filter")!;
        Assert.Equal("1.0.0", running.Spec.Version);
        Wait.Until(() => sub.TryReceive(out var m) && System.Text.Encoding.UTF8.GetString(m.Payload).Contains("\"ver\":\"1.0.0\"", StringComparison.Ordinal),
            "the old version publishing again");
    }

    [Fact]
    public void Trap_during_the_trial_is_rejected()
    {
        using var host = Host();
        // K is far above the probes a container can serve in three steps, so the trap always comes first.
        var config = new ContainerConfig
        {
            Name = "trapper",
            Version = SemanticVersion.Parse("1.0.0"),
            Entrypoint = "atym_step",
            Resources = new ResourceLimits { MaxMemoryBytes = 131072, CpuBudgetMs = 5, SliceIntervalMs = 100 },
            HealthCheck = new HealthCheck { IntervalMs = 100, PassesToConfirm = 50 },
            Restart = new RestartPolicy { Mode = RestartMode.OnFailure, BackoffInitialMs = 10 },
            Permissions = [],
        };
        // Healthy at first, then the third step divides by zero.
        var wasm = Wasmtime.Module.ConvertText("""
            (module (memory (export "memory") 1 1) (global $n (mut i32) (i32.const 0))
              (func (export "atym_step") (result i32)
                (global.set $n (i32.add (global.get $n) (i32.const 1)))
                (drop (i32.div_u (i32.const 1) (i32.sub (i32.const 3) (global.get $n))))
                (i32.const 0))
              (func (export "atym_health") (result i32) (i32.const 0)))
            """);
        var code = VerifiedArtifact.Verify(wasm, new ArtifactExpectation("trapper", ArtifactKind.Wasm, Digest.Compute(wasm).Encoded, wasm.Length));
        var result = host.RunTrial(new ContainerSpec(config, code, GrantedPermissions.Parse([]), BlobSet.Empty), null, CancellationToken.None);
        Assert.Equal(TrialVerdict.Failed, result.Verdict);
        Assert.Contains("IntegerDivisionByZero", result.Reason, StringComparison.Ordinal);
        Assert.Equal(["reject trapper"], _decisions.Calls);
        Assert.Null(result.RunningVersion);
    }

    [Fact]
    public void Faulty_sample_trial_is_rejected()
    {
        using var host = Host();
        var result = host.RunTrial(Sample("faulty"), null, CancellationToken.None);
        Assert.Equal(TrialVerdict.Failed, result.Verdict);
        Assert.Equal(["reject faulty"], _decisions.Calls);
    }

    public void Dispose() => _device.Dispose();

    /// <summary>The bootloader's side of a trial, recorded (the host only calls it).</summary>
    private sealed class RecordingDecision : ITrialDecision
    {
        public List<string> Calls { get; } = [];

        public void Confirm(string container)
        {
            lock (Calls) Calls.Add($"confirm {container}");
        }

        public void Reject(string container, string reason)
        {
            lock (Calls) Calls.Add($"reject {container}");
        }
    }
}
