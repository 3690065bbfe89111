using System.Text.Json;
using System.Text.Json.Serialization;
using AtymSecure.Engines;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Runtime.Artifacts;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Permissions;

namespace AtymSecure.Runtime.Isolation;

/// <summary>
/// What a container process needs to run one container, sent by the agent in the start frame: the container's
/// config (its canonical JSON), the grants and variables, what signed metadata said about the code (the child
/// verifies the bytes against it again), the engine profile, the CPU settings and the memory the agent reserved
/// for this run on the device-wide accountant. Not the blobs, the key-value store or the drivers: those stay in
/// the agent and are reached by calls. Written only by the agent; the child trusts it (it is the agent's child).
/// </summary>
internal sealed record StartSpec
{
    public required string ConfigJson { get; init; }

    public required IReadOnlyList<string> Grants { get; init; }

    public required IReadOnlyDictionary<string, string> Variables { get; init; }

    public required string ArtifactName { get; init; }

    public required ArtifactKind ArtifactKind { get; init; }

    public required string ArtifactSha256 { get; init; }

    public string? ArtifactDeviceClass { get; init; }

    public string? ArtifactTargetTriple { get; init; }

    public required string ProfileDeviceClass { get; init; }

    public string? ProfileTarget { get; init; }

    public required IReadOnlyList<string> ProfileCpuFeatures { get; init; }

    public required CpuInterruption Interruption { get; init; }

    public required Wasmtime.OptimizationLevel OptimizationLevel { get; init; }

    public required IReadOnlyDictionary<string, string> CraneliftSettings { get; init; }

    /// <summary>The engine's Wasm stack limit for this container (rounded as in-process).</summary>
    public required int MaxWasmStackBytes { get; init; }

    public required double EpochTickMs { get; init; }

    public required long FuelPerMillisecond { get; init; }

    /// <summary>The store's memory limit: what the agent reserved on the device-wide accountant.</summary>
    public required long GrantedMemoryBytes { get; init; }

    public required long DeviceBudgetBytes { get; init; }

    /// <summary>Longest guest log line read out of guest memory (the agent cuts again).</summary>
    public required int MaxLineBytes { get; init; }

    public required double HeartbeatIntervalMs { get; init; }

    /// <summary>The device's wall-clock origin for WASI's realtime clock (Unix milliseconds).</summary>
    public required long RealtimeOriginUnixMs { get; init; }

    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static StartSpec FromJson(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<StartSpec>(json, Json) ?? throw new IpcProtocolException(IpcProblemCodes.InvalidValue, "spec", "start spec is null");

    public static StartSpec For(ContainerSpec spec, EngineProfile profile, RuntimeOptions options, long grantedBytes, long deviceBudgetBytes, int maxLineBytes, int stackBytes, DateTimeOffset realtimeOrigin) => new()
    {
        ConfigJson = System.Text.Encoding.UTF8.GetString(ContainerConfigJson.Serialize(spec.Config)),
        Grants = [.. spec.Grants.Capabilities.Select(c => c.ToString())],
        Variables = new SortedDictionary<string, string>(spec.Variables.ToDictionary(), StringComparer.Ordinal),
        ArtifactName = spec.Code.Name,
        ArtifactKind = spec.Code.Kind,
        ArtifactSha256 = spec.Code.Expectation.Sha256,
        ArtifactDeviceClass = spec.Code.Expectation.DeviceClass,
        ArtifactTargetTriple = spec.Code.Expectation.TargetTriple,
        ProfileDeviceClass = profile.DeviceClass,
        ProfileTarget = profile.Target,
        ProfileCpuFeatures = [.. profile.CpuFeatures],
        Interruption = profile.Interruption,
        OptimizationLevel = profile.OptimizationLevel,
        CraneliftSettings = new SortedDictionary<string, string>(profile.CraneliftSettings.ToDictionary(), StringComparer.Ordinal),
        MaxWasmStackBytes = stackBytes,
        EpochTickMs = options.EpochTick.TotalMilliseconds,
        FuelPerMillisecond = options.FuelPerMillisecond,
        GrantedMemoryBytes = grantedBytes,
        DeviceBudgetBytes = deviceBudgetBytes,
        MaxLineBytes = maxLineBytes,
        HeartbeatIntervalMs = options.HeartbeatInterval.TotalMilliseconds,
        RealtimeOriginUnixMs = realtimeOrigin.ToUnixTimeMilliseconds(),
    };

    public EngineProfile Profile() =>
        new(ProfileDeviceClass, ProfileTarget, ProfileCpuFeatures, Interruption, OptimizationLevel)
        {
            MaxWasmStackBytes = MaxWasmStackBytes,
            CraneliftSettings = new SortedDictionary<string, string>(CraneliftSettings.ToDictionary(), StringComparer.Ordinal),
        };

    public RuntimeOptions Options() =>
        new() { EpochTick = TimeSpan.FromMilliseconds(EpochTickMs), FuelPerMillisecond = FuelPerMillisecond };

    /// <summary>The container spec in the child: config parsed and validated again, grants parsed, code verified again against the metadata.</summary>
    public ContainerSpec Spec(byte[] code)
    {
        var config = ContainerConfigJson.Parse(System.Text.Encoding.UTF8.GetBytes(ConfigJson));
        var verified = VerifiedArtifact.Verify(code, new ArtifactExpectation(ArtifactName, ArtifactKind, ArtifactSha256, code.Length, ArtifactDeviceClass, ArtifactTargetTriple));
        // Variables are the effective ones (config + deployment overrides): as overrides they win over the config's.
        return new ContainerSpec(config, verified, GrantedPermissions.Parse(Grants), Blobs.BlobSet.Empty)
        {
            VariableOverrides = Variables,
        };
    }
}
