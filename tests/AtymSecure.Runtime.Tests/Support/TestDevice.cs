using System.Security.Cryptography;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Runtime.Artifacts;
using AtymSecure.Runtime.Blobs;
using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Runtime.Drivers;
using AtymSecure.Engines;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Logging;
using AtymSecure.Runtime.Messaging;
using AtymSecure.Runtime.Permissions;
using AtymSecure.Primitives;

using AtymSecure.Runtime.Budgets;

namespace AtymSecure.Runtime.Tests.Support;

/// <summary>A simulated device on virtual time: drivers, bus, log, KV stores in a temp directory.</summary>
internal sealed class TestDevice : IDisposable
{
    /// <param name="memoryBudgetBytes">The device-wide container RAM budget (default: none beyond each container's own limit).</param>
    /// <param name="realTime">The device runs on the system clock (process-mode tests that watch a container work over seconds).</param>
    public TestDevice(string? dataDirectory = null, long? memoryBudgetBytes = null, bool realTime = false)
    {
        Directory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "atym-runtime-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Kv = new FileKeyValueStoreProvider(Path.Combine(Directory, "kv"));
        Sensors = SimulatedSensorBank.Demo(Clock);
        Services = new DeviceServices(realTime ? TimeProvider.System : Clock, Log, Sensors, Gpio, Bus, Kv)
        {
            Memory = memoryBudgetBytes is { } budget ? new DeviceMemoryAccountant(budget) : DeviceMemoryAccountant.Unlimited(),
        };
    }

    public string Directory { get; }

    public VirtualClock Clock { get; } = new();

    public MemoryLogSink Log { get; } = new();

    public SimulatedSensorBank Sensors { get; }

    public SimulatedGpioBank Gpio { get; } = new();

    public MessageBus Bus { get; } = new();

    public FileKeyValueStoreProvider Kv { get; }

    public DeviceServices Services { get; }

    public ContainerRuntime Runtime(EngineProfile? profile = null, RuntimeOptions? options = null) =>
        new(profile ?? EngineProfile.HostWasm(), Services, options ?? new RuntimeOptions());

    /// <summary>A runtime whose containers run in this process or each in its own container process.</summary>
    public ContainerRuntime Runtime(ContainerIsolation isolation) => Runtime(options: new RuntimeOptions { Isolation = isolation });

    public void Dispose()
    {
        Kv.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Device API tests run in both modes: the same container, the same assertions, in-process and across the process boundary.</summary>
public static class Modes
{
    public static TheoryData<ContainerIsolation> Both => new() { ContainerIsolation.InProcess, ContainerIsolation.Process };
}

internal static class TestSpecs
{
    public static VerifiedArtifact WasmArtifact(string name, byte[] wasm) =>
        VerifiedArtifact.Verify(wasm, new ArtifactExpectation(name, ArtifactKind.Wasm, Convert.ToHexStringLower(SHA256.HashData(wasm)), wasm.Length));

    public static VerifiedArtifact Wat(string name, string wat) => WasmArtifact(name, Wasmtime.Module.ConvertText(wat));

    public static ContainerConfig Config(string name, string entrypoint = "atym_step", ResourceLimits? resources = null,
        HealthCheck? health = null, RestartPolicy? restart = null, IReadOnlyList<Capability>? permissions = null) => new()
    {
        Name = name,
        Version = SemanticVersion.Parse("1.0.0"),
        Entrypoint = entrypoint,
        Resources = resources ?? new ResourceLimits { MaxMemoryBytes = 131072, CpuBudgetMs = 5, SliceIntervalMs = 100 },
        HealthCheck = health,
        Restart = restart ?? new RestartPolicy { Mode = RestartMode.Never },
        Permissions = permissions ?? [],
    };

    public static ContainerSpec Spec(ContainerConfig config, VerifiedArtifact code, params string[] grants) =>
        new(config, code, GrantedPermissions.Parse(grants), BlobSet.Empty);
}
