using System.Security.Cryptography;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Runtime.Artifacts;
using AtymSecure.Engines;
using CsCheck;
using Wasmtime;

namespace AtymSecure.Runtime.Tests.Artifacts;

public sealed class AotArtifactTests
{
    private const string Add = "(module (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))";

    private static (byte[] Bytes, ArtifactExpectation Expectation) Compile(EngineProfile profile, ArtifactKind kind)
    {
        using var engine = EngineFactory.Create(profile);
        using var module = Module.FromText(engine, "add", Add);
        var bytes = module.Serialize();
        return (bytes, new ArtifactExpectation("add", kind, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, profile.DeviceClass, profile.Target));
    }

    [Theory]
    [InlineData("linux-x86_64", ArtifactKind.WasmtimeNative)]
    [InlineData("portable-pulley64", ArtifactKind.WasmtimePulley)]
    public void Verified_artifact_of_the_class_loads_and_runs(string deviceClass, ArtifactKind kind)
    {
        var profile = EngineProfile.For(DeviceClassTable.Get(deviceClass));
        var (bytes, expectation) = Compile(profile, kind);
        var header = PrecompiledHeader.Read(bytes);
        Assert.StartsWith(profile.Target!, header.Target, StringComparison.Ordinal);
        Assert.Equal([.. profile.CpuFeatures.Order(StringComparer.Ordinal)], header.EnabledIsaFlags.Where(f => f.StartsWith("has_", StringComparison.Ordinal)));
        using var engine = EngineFactory.Create(profile);
        using var module = new ModuleLoader(engine, profile).Load(VerifiedArtifact.Verify(bytes, expectation));
        using var store = new Store(engine);
        store.SetEpochDeadline(1000);
        var add = new Instance(store, module, []).GetFunction<int, int, int>("add")!;
        Assert.Equal(5, add(2, 3));
    }

    [Fact]
    public void Tampered_bytes_never_reach_deserialize()
    {
        var profile = EngineProfile.For(DeviceClassTable.LinuxX86_64);
        var (bytes, expectation) = Compile(profile, ArtifactKind.WasmtimeNative);
        bytes[^100] ^= 1;
        var e = Assert.Throws<ArtifactVerificationException>(() => VerifiedArtifact.Verify(bytes, expectation));
        Assert.Contains("sha256", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArtifactVerificationException>(() => VerifiedArtifact.Verify(bytes.AsSpan(1), expectation));
    }

    [Fact]
    public void Artifact_for_another_class_or_feature_set_gets_a_clear_error()
    {
        var x86 = EngineProfile.For(DeviceClassTable.LinuxX86_64);
        var pulley = EngineProfile.For(DeviceClassTable.PortablePulley64);
        var (bytes, expectation) = Compile(pulley, ArtifactKind.WasmtimePulley);
        using var engine = EngineFactory.Create(x86);
        var e = Assert.Throws<ArtifactIncompatibleException>(() => new ModuleLoader(engine, x86).Load(VerifiedArtifact.Verify(bytes, expectation)));
        Assert.Contains("Pulley bytecode", e.Message, StringComparison.Ordinal);
        Assert.Contains("portable-pulley64", e.Message, StringComparison.Ordinal);

        // Compiled with AVX2 assumed, loaded on a device class that does not promise it.
        var avx = x86 with { CpuFeatures = [.. x86.CpuFeatures, "has_avx", "has_avx2"] };
        var (avxBytes, avxExpectation) = Compile(avx, ArtifactKind.WasmtimeNative);
        var e2 = Assert.Throws<ArtifactIncompatibleException>(() => new ModuleLoader(engine, x86).Load(VerifiedArtifact.Verify(avxBytes, avxExpectation)));
        Assert.Contains("has_avx2", e2.Message, StringComparison.Ordinal);

        // Epoch vs fuel: the signed class matches but the engine setting does not; Wasmtime's refusal is wrapped.
        var fuel = x86 with { Interruption = CpuInterruption.Fuel };
        using var fuelEngine = EngineFactory.Create(fuel);
        var e3 = Assert.Throws<ArtifactIncompatibleException>(() => new ModuleLoader(fuelEngine, fuel).Load(VerifiedArtifact.Verify(Compile(x86, ArtifactKind.WasmtimeNative).Bytes, Compile(x86, ArtifactKind.WasmtimeNative).Expectation)));
        Assert.Contains("refused by this engine", e3.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mcu_classes_have_no_Wasmtime_profile() =>
        Assert.Throws<EngineConfigurationException>(() => EngineProfile.For(DeviceClassTable.McuCortexM4));

    [Fact]
    public void Header_reader_never_throws_anything_but_its_typed_error_on_damaged_input()
    {
        var (bytes, _) = Compile(EngineProfile.For(DeviceClassTable.LinuxX86_64), ArtifactKind.WasmtimeNative);
        var damaged = Gen.Select(Gen.Int[0, bytes.Length - 1], Gen.Byte, Gen.Int[0, bytes.Length]).Select((at, value, cut) =>
        {
            var copy = bytes[..cut];
            if (at < copy.Length) copy[at] = value;
            return copy;
        });
        Gen.OneOf(Gen.Byte.Array[0, 256], damaged).Sample(input =>
        {
            try
            {
                PrecompiledHeader.Read(input);
            }
            catch (ArtifactIncompatibleException)
            {
            }
        }, iter: 2000);
    }
}
