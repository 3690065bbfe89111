using AtymSecure.Engines;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Delivery.Compilation;

namespace AtymSecure.Delivery.Tests.Compilation;

public sealed class CompilationKeyTests
{
    [Fact]
    public void Every_device_class_has_a_valid_key_and_a_compiler()
    {
        foreach (var deviceClass in DeviceClassTable.All)
        {
            var key = CompilationKey.ForDeviceClass(deviceClass);
            Assert.Empty(key.Validate());
            Assert.Equal(deviceClass.BackEnd, key.BackEnd);
            Assert.Equal(key.BackEnd, AotCompilerRegistry.For(deviceClass).BackEnd);
        }
    }

    // The key digest names cached and published outputs: moving the settings out of formats must not change it.
    [Theory]
    [InlineData("linux-x86_64", "sha256:859183de64ae4d4f3a494272ea1a300af140793a4a6d58bab3656d2ce388eee2")]
    [InlineData("linux-aarch64", "sha256:bb4f38d8fa6168f0bf9e1857b8ca78952c8a96ba161c82c6f8366d1b84152483")]
    [InlineData("portable-pulley64", "sha256:37e7f1fcaf15af4578b6bf4f037d2d645fc59b55a83342ebb1c7a6eae1428269")]
    [InlineData("mcu-cortex-m4", "sha256:539f186fb2d4d8aaf49c4e9f61b5969b46bfdcd15ace7c48658ba1902237b23b")]
    [InlineData("mcu-cortex-m33", "sha256:b7d742bae6dcc674c5855d5a13c97499756592d44d43764077cb7fe2fc9a5412")]
    [InlineData("mcu-riscv32", "sha256:b11d9c88a63121784825af2414c090f29a00cd984424d0d8ecc4b0596317c8a4")]
    public void Class_key_digests_are_stable(string deviceClass, string digest) =>
        Assert.Equal(digest, CompilationKey.ForDeviceClass(DeviceClassTable.Get(deviceClass)).Digest);

    [Fact]
    public void Wasmtime_class_keys_are_made_from_the_engine_profile_devices_load_with()
    {
        foreach (var deviceClass in DeviceClassTable.All.Where(c => c.BackEnd == AotBackEndKind.WasmtimeCranelift))
        {
            var profile = EngineProfile.For(deviceClass);
            var key = CompilationKey.ForDeviceClass(deviceClass);
            Assert.Equal(WasmtimeKeys.From(profile), key);
            Assert.Equal(profile, WasmtimeKeys.ToProfile(key, deviceClass.Name));
        }
    }

    [Fact]
    public void Mcu_classes_use_wasm2c_with_explicit_bounds_checks_and_linux_classes_use_wasmtime()
    {
        foreach (var deviceClass in DeviceClassTable.All)
        {
            var key = CompilationKey.ForDeviceClass(deviceClass);
            if (deviceClass.IsMicrocontroller)
            {
                Assert.Equal(AotBackEndKind.Wasm2c, key.BackEnd);
                Assert.Equal(BoundsCheckMode.Explicit, key.Engine.BoundsChecks);
                Assert.InRange(key.Engine.ExceptionBufferBytes, 1, 4096);
            }
            else
            {
                Assert.Equal(AotBackEndKind.WasmtimeCranelift, key.BackEnd);
                Assert.Equal(BoundsCheckMode.GuardPages, key.Engine.BoundsChecks);
            }
        }
    }

    [Fact]
    public void Digest_is_stable_ignores_feature_order_and_changes_with_any_setting()
    {
        var key = CompilationKey.ForDeviceClass(DeviceClassTable.LinuxX86_64);
        var reordered = key with { CpuFeatures = [.. key.CpuFeatures.Reverse()] };
        Assert.Equal(key.Digest, reordered.Digest);
        Assert.Equal(key, reordered);

        CompilationKey[] variants =
        [
            key with { BackEndVersion = "51.0.0" },
            key with { Triple = "pulley64" },
            key with { CpuFeatures = [.. key.CpuFeatures, "has_avx2"] },
            key with { Engine = key.Engine with { ConsumeFuel = true } },
            key with { Engine = key.Engine with { EpochInterruption = false } },
            key with { Engine = key.Engine with { OptimizationLevel = "none" } },
        ];
        Assert.Equal(variants.Length, variants.Select(v => v.Digest).Append(key.Digest).Distinct().Count() - 1);
    }

    [Theory]
    [InlineData("host")]
    [InlineData("x86_64")]
    [InlineData("")]
    public void Host_dependent_or_partial_triples_are_invalid(string triple)
    {
        var key = CompilationKey.ForDeviceClass(DeviceClassTable.LinuxX86_64) with { Triple = triple };
        Assert.Contains(key.Validate(), p => p.Path == "key.triple" && p.Code is CompilationKeyProblemCodes.Required or CompilationKeyProblemCodes.HostDependentTriple);
        Assert.Throws<AotTargetNotSupportedException>(() => AotCompilerRegistry.For(key));
    }

    [Fact]
    public void Unknown_device_class_names_the_known_ones()
    {
        var z80 = new DeviceClass("mcu-z80", Isa.RiscV32, "z80-none-elf", 16, IsMicrocontroller: true, AotBackEndKind.Wasm2c);
        var ex = Assert.Throws<KeyNotFoundException>(() => CompilationKey.ForDeviceClass(z80));
        Assert.Contains("mcu-cortex-m4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_tools_name_the_debian_package()
    {
        var ex = Assert.Throws<AotToolMissingException>(() => ToolLocator.Require("atym-no-such-tool", "atym-no-such-package"));
        Assert.Contains("apt-get install -y atym-no-such-package", ex.Message, StringComparison.Ordinal);
    }
}
