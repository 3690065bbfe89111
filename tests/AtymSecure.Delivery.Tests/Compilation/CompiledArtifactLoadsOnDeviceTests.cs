using AtymSecure.Delivery.Compilation;
using AtymSecure.Engines;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Runtime.Artifacts;
using Wasmtime;

namespace AtymSecure.Delivery.Tests.Compilation;

/// <summary>
/// An artifact is compiled exactly as devices load it: the delivery compiler's output loads through the device's
/// own path — an engine from <see cref="EngineFactory"/> with the class's <see cref="EngineProfile"/> (as the
/// sandbox's ContainerRuntime builds it, with a per-container stack size) and the sandbox's <see cref="ModuleLoader"/>
/// — and an engine built from any other profile refuses it.
/// </summary>
[Collection(TestKernelCollection.Name)]
[Trait("Requires", "clang")]
public sealed class CompiledArtifactLoadsOnDeviceTests(TestKernelFixture kernel)
{
    private static VerifiedArtifact Verified(CompiledArtifact artifact, DeviceClass deviceClass, ArtifactKind kind) =>
        VerifiedArtifact.Verify(artifact.Bytes.Span, new ArtifactExpectation("kernel", kind, artifact.Digest["sha256:".Length..],
            artifact.Bytes.Length, deviceClass.Name, artifact.Recipe.Key.Triple));

    private static Module Load(EngineProfile profile, Engine engine, VerifiedArtifact artifact) =>
        new ModuleLoader(engine, profile).Load(artifact);

    [Theory]
    [InlineData("linux-x86_64", ArtifactKind.WasmtimeNative)]
    [InlineData("portable-pulley64", ArtifactKind.WasmtimePulley)]
    public async Task The_compiled_artifact_loads_and_runs_in_the_engine_a_device_of_the_class_builds(string name, ArtifactKind kind)
    {
        var deviceClass = DeviceClassTable.Get(name);
        var artifact = await kernel.CompileOnceAsync(deviceClass);
        var device = EngineProfile.For(deviceClass) with { MaxWasmStackBytes = 64 * 1024 };

        using var engine = EngineFactory.Create(device);
        using var module = Load(device, engine, Verified(artifact, deviceClass, kind));
        Assert.Equal(kernel.ExpectedResult, WasmtimeRun.CallRun(engine, module, TestKernelFixture.RunArgument));
    }

    // The optimisation level is not among them: Wasmtime loads code built at any level (it is in the key because
    // it changes the bytes).
    [Theory]
    [InlineData("fuel instead of epoch")]
    [InlineData("the Pulley target")]
    [InlineData("one CPU feature fewer")]
    public async Task An_engine_built_from_another_profile_refuses_it(string change)
    {
        var deviceClass = DeviceClassTable.LinuxX86_64;
        var artifact = await kernel.CompileOnceAsync(deviceClass);
        var profile = EngineProfile.For(deviceClass);
        var other = change switch
        {
            "fuel instead of epoch" => profile with { Interruption = CpuInterruption.Fuel },
            "the Pulley target" => EngineProfile.For(DeviceClassTable.PortablePulley64),
            _ => profile with { CpuFeatures = [.. profile.CpuFeatures.Skip(1)] },
        };
        Assert.NotEqual(profile, other);

        using var engine = EngineFactory.Create(other);
        var e = Assert.Throws<ArtifactIncompatibleException>(() => Load(other, engine, Verified(artifact, deviceClass, ArtifactKind.WasmtimeNative)));
        Assert.Contains("kernel", e.Message, StringComparison.Ordinal);
    }
}
