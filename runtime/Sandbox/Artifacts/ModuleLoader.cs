using AtymSecure.Formats.Bundle;
using AtymSecure.Engines;
using Wasmtime;

namespace AtymSecure.Runtime.Artifacts;

/// <summary>
/// Turns a <see cref="VerifiedArtifact"/> into a Wasmtime <see cref="Module"/> for one engine. Plain Wasm is
/// compiled here; precompiled code is checked against the engine profile (signed compatibility key, then
/// the artifact's own ELF/engine header) and only then deserialized.
/// </summary>
public sealed class ModuleLoader
{
    public ModuleLoader(Engine engine, EngineProfile profile)
    {
        Engine = engine ?? throw new ArgumentNullException(nameof(engine));
        Profile = profile ?? throw new ArgumentNullException(nameof(profile));
    }

    public Engine Engine { get; }

    public EngineProfile Profile { get; }

    /// <exception cref="ArtifactIncompatibleException">Precompiled for another target, feature set or engine setting.</exception>
    /// <exception cref="WasmtimeException">Plain Wasm that does not validate.</exception>
    public Module Load(VerifiedArtifact artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        if (artifact.Kind == ArtifactKind.Wasm)
        {
            if (artifact.Bytes.Length < 8 || !artifact.Bytes[..4].SequenceEqual("\0asm"u8))
                throw new ArtifactIncompatibleException($"artifact '{artifact.Name}' is declared as Wasm but has no Wasm header");
            return Module.FromBytes(Engine, artifact.Name, artifact.Bytes);
        }
        CheckCompatible(artifact);
        try
        {
            return Module.Deserialize(Engine, artifact.Name, artifact.Bytes);
        }
        catch (WasmtimeException e)
        {
            throw new ArtifactIncompatibleException(
                $"artifact '{artifact.Name}' was refused by this engine ({Profile.Description}): {e.Message}", e);
        }
    }

    /// <summary>The engine-compatibility check on its own (also used by installers before activating a slot).</summary>
    public void CheckCompatible(VerifiedArtifact artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var problems = new List<string>();
        if (!artifact.Expectation.IsPrecompiled)
            throw new ArtifactIncompatibleException($"artifact '{artifact.Name}' of kind {artifact.Kind} is not Wasmtime precompiled code");
        var wantPulley = artifact.Kind == ArtifactKind.WasmtimePulley;
        if (wantPulley != Profile.IsPulley)
            problems.Add($"artifact is {(wantPulley ? "Pulley bytecode" : "native code")} but this engine runs {(Profile.IsPulley ? "Pulley" : "native code")}");
        if (!string.Equals(artifact.Expectation.DeviceClass, Profile.DeviceClass, StringComparison.Ordinal))
            problems.Add($"compiled for device class '{artifact.Expectation.DeviceClass}', this device is '{Profile.DeviceClass}'");
        if (!string.Equals(artifact.Expectation.TargetTriple, Profile.Target, StringComparison.Ordinal))
            problems.Add($"compiled for target '{artifact.Expectation.TargetTriple}', this engine targets '{Profile.Target ?? "host"}'");

        var header = PrecompiledHeader.Read(artifact.Bytes);
        var expectedMachine = Profile.IsPulley ? PrecompiledHeader.MachinePulley : HostMachine();
        if (header.ElfMachine != expectedMachine)
            problems.Add($"artifact ELF machine {header.ElfMachine} differs from {expectedMachine} needed here");
        if (Profile.Target is not null && !header.Target.StartsWith(Profile.Target, StringComparison.Ordinal))
            problems.Add($"artifact target '{header.Target}' differs from this engine's target '{Profile.Target}'");
        var extra = header.EnabledIsaFlags.Except(Profile.CpuFeatures, StringComparer.Ordinal).ToList();
        if (extra.Count > 0)
            problems.Add($"artifact uses CPU features this device class does not promise: {string.Join(", ", extra)}");
        if (!header.WasmtimeVersion.StartsWith(EngineProfile.WasmtimeVersion.Split('.')[0], StringComparison.Ordinal))
            problems.Add($"artifact was made by Wasmtime {header.WasmtimeVersion}, this engine is {EngineProfile.WasmtimeVersion}");
        if (problems.Count > 0)
            throw new ArtifactIncompatibleException($"artifact '{artifact.Name}' cannot run on this engine: {string.Join("; ", problems)}");
    }

    private static ushort HostMachine() => System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => PrecompiledHeader.MachineX86_64,
        System.Runtime.InteropServices.Architecture.Arm64 => PrecompiledHeader.MachineAarch64,
        var other => throw new ArtifactIncompatibleException($"no Wasmtime native code for host architecture {other}"),
    };
}
