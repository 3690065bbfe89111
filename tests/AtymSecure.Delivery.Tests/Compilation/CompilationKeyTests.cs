using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Delivery.Compilation;

namespace AtymSecure.Delivery.Tests.Compilation;

public sealed class CompilationKeyTests
{
    [Fact]
    public void Every_device_class_has_a_valid_profile_and_a_compiler()
    {
        foreach (var deviceClass in DeviceClassTable.All)
        {
            var key = CompilationKey.ForDeviceClass(deviceClass);
            Assert.Empty(key.Validate());
            Assert.Equal(key.BackEnd, AotCompilerRegistry.For(deviceClass).BackEnd);
        }
        Assert.Equal(DeviceClassTable.Names, DeviceClassCompilationProfiles.All.Select(p => p.DeviceClass));
    }

    [Fact]
    public void Mcu_classes_use_wasm2c_with_explicit_bounds_checks_and_linux_classes_use_wasmtime()
    {
        foreach (var deviceClass in DeviceClassTable.All)
        {
            var profile = DeviceClassCompilationProfiles.For(deviceClass);
            if (deviceClass.IsMicrocontroller)
            {
                Assert.Equal(AotBackEndKind.Wasm2c, profile.BackEnd);
                Assert.Equal(BoundsCheckMode.Explicit, profile.Engine.BoundsChecks);
                Assert.InRange(profile.Engine.ExceptionBufferBytes, 1, 4096);
            }
            else
            {
                Assert.Equal(AotBackEndKind.WasmtimeCranelift, profile.BackEnd);
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
        Assert.Contains(key.Validate(), p => p.StartsWith("key.triple", StringComparison.Ordinal));
        Assert.Throws<AotTargetNotSupportedException>(() => AotCompilerRegistry.For(key));
    }

    [Fact]
    public void Unknown_device_class_names_the_known_ones()
    {
        var ex = Assert.Throws<KeyNotFoundException>(() => DeviceClassCompilationProfiles.For("mcu-z80"));
        Assert.Contains("mcu-cortex-m4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_tools_name_the_debian_package()
    {
        var ex = Assert.Throws<AotToolMissingException>(() => ToolLocator.Require("atym-no-such-tool", "atym-no-such-package"));
        Assert.Contains("apt-get install -y atym-no-such-package", ex.Message, StringComparison.Ordinal);
    }
}
