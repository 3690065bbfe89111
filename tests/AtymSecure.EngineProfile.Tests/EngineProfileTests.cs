using System.Xml.Linq;
using AtymSecure.Engines;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.TestSupport;
using Wasmtime;

namespace AtymSecure.Engines.Tests;

/// <summary>The one engine configuration compiler and device share: its table, its version and its refusals.</summary>
public sealed class EngineProfileTests
{
    [Fact]
    public void Every_wasmtime_class_has_one_profile_in_table_order()
    {
        Assert.Equal(DeviceClassTable.All.Where(c => c.BackEnd == AotBackEndKind.WasmtimeCranelift).Select(c => c.Name),
            DeviceClassEngineProfiles.All.Select(p => p.DeviceClass));
        foreach (var profile in DeviceClassEngineProfiles.All)
        {
            Assert.Same(profile, EngineProfile.For(DeviceClassTable.Get(profile.DeviceClass)));
            Assert.NotNull(profile.Target); // never the host: a fleet build must not depend on the build machine's CPU
            Assert.Equal(CpuInterruption.Epoch, profile.Interruption);
        }
    }

    [Theory]
    [InlineData("mcu-cortex-m4")]
    [InlineData("mcu-cortex-m33")]
    [InlineData("mcu-riscv32")]
    public void A_wasm2c_class_has_no_engine(string name)
    {
        var e = Assert.Throws<EngineConfigurationException>(() => EngineProfile.For(DeviceClassTable.Get(name)));
        Assert.Contains("linked into firmware", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_version_constant_is_the_wasmtime_package_the_projects_link()
    {
        var props = XDocument.Load(RepositoryRoot.File("Directory.Packages.props"));
        var pinned = props.Descendants("PackageVersion").Single(e => (string?)e.Attribute("Include") == "Wasmtime");
        Assert.Equal(EngineProfile.WasmtimeVersion, (string?)pinned.Attribute("Version"));
    }

    [Fact]
    public void Profiles_compare_by_value_and_feature_order_does_not_matter()
    {
        var x86 = DeviceClassEngineProfiles.LinuxX86_64;
        var copy = x86 with { CpuFeatures = [.. x86.CpuFeatures.Reverse()] };
        Assert.Equal(x86, copy);
        Assert.Equal(x86.GetHashCode(), copy.GetHashCode());
        Assert.NotEqual(x86, x86 with { CpuFeatures = [.. x86.CpuFeatures, "has_avx2"] });
        Assert.NotEqual(x86, x86 with { Interruption = CpuInterruption.Fuel });
        Assert.NotEqual(x86, x86 with { CraneliftSettings = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["opt_level"] = "none" } });
    }

    [Theory]
    [InlineData("linux-x86_64")]
    [InlineData("portable-pulley64")]
    public void The_profile_builds_an_engine(string name)
    {
        using var engine = EngineFactory.Create(EngineProfile.For(DeviceClassTable.Get(name)));
        using var module = Module.FromText(engine, "one", "(module (func (export \"one\") (result i32) i32.const 1))");
        Assert.NotEmpty(module.Serialize());
    }

    [Fact]
    public void A_target_wasmtime_refuses_is_a_configuration_error_naming_it()
    {
        var unknown = DeviceClassEngineProfiles.LinuxX86_64 with { Target = "z80-unknown-none" };
        var e = Assert.Throws<EngineConfigurationException>(() => EngineFactory.Create(unknown));
        Assert.Contains("'z80-unknown-none'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(OptimizationLevel.None, "none")]
    [InlineData(OptimizationLevel.Speed, "speed")]
    [InlineData(OptimizationLevel.SpeedAndSize, "speed_and_size")]
    public void Optimisation_levels_have_their_cranelift_names(OptimizationLevel level, string name)
    {
        Assert.Equal(name, CraneliftOptimizationLevels.Name(level));
        Assert.True(CraneliftOptimizationLevels.TryParse(name, out var parsed));
        Assert.Equal(level, parsed);
        Assert.False(CraneliftOptimizationLevels.TryParse(name.ToUpperInvariant(), out _));
    }
}
