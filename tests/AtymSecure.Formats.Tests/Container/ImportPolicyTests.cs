using AtymSecure.TestSupport;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.Tests.Wasm;
using AtymSecure.Formats.Wasm;
using static AtymSecure.Formats.Tests.Wasm.WasmBytes;

namespace AtymSecure.Formats.Tests.Container;

public class ImportPolicyTests
{
    private static WasmModule ModuleImporting(string module, string name, uint type = 2) =>
        WasmModuleParser.Parse(Valid(module, name, type));

    [Fact]
    public void A_granted_import_passes()
    {
        Assert.Empty(ImportPolicy.Check(ModuleImporting("atym", "log"), [Capability.Log]));
    }

    [Fact]
    public void An_ungranted_import_is_refused_naming_the_import_and_the_missing_permission()
    {
        var v = Assert.Single(ImportPolicy.Check(ModuleImporting("atym", "log"), [Capability.Clock]));
        Assert.Equal("import atym.log requires permission 'log', which the container's permissions do not grant", v.Message);
        Assert.Equal("log", v.MissingPermission);
    }

    [Fact]
    public void A_parameterized_import_needs_a_capability_of_that_kind()
    {
        // sensor_read is (i32, i32, i32) -> i32; give it type 2 = (i32, i32, i32) -> () to also prove signature checks,
        // then check the permission rule with a matching signature below.
        var wrongSignature = Assert.Single(ImportPolicy.Check(ModuleImporting("atym", "sensor_read"), [Capability.Parse("sensor:temp0")]));
        Assert.Equal("import atym.sensor_read has signature (i32, i32, i32) -> (), the device API defines (i32, i32, i32) -> (i32)", wrongSignature.Message);

        var sample = WasmModuleParser.Parse(File.ReadAllBytes(RepositoryRoot.File("samples/sensor-filter/sensor-filter.wasm")));
        var refused = ImportPolicy.Check(sample, [Capability.Log, Capability.Parse("publish:telemetry/temp")]);
        var v = Assert.Single(refused);
        Assert.Equal("import atym.sensor_read requires permission 'sensor:<name>', which the container's permissions do not grant", v.Message);
        Assert.Empty(ImportPolicy.Check(sample, [Capability.Log, Capability.Parse("publish:telemetry/temp"), Capability.Parse("sensor:temp0")]));
    }

    [Fact]
    public void Imports_outside_the_device_api_are_refused()
    {
        var v = Assert.Single(ImportPolicy.Check(ModuleImporting("env", "read_sensor"), [Capability.Log]));
        Assert.Equal("import env.read_sensor is not part of the device API (see docs/device-api.md)", v.Message);
        var wasi = Assert.Single(ImportPolicy.Check(ModuleImporting("wasi_snapshot_preview1", "path_open"), [Capability.Log]));
        Assert.Contains("wasi_snapshot_preview1.path_open is not part of the device API", wasi.Message);
    }

    [Fact]
    public void Memory_imports_are_refused()
    {
        var module = WasmModuleParser.Parse(Module(Section(2, Vec([.. Name("env"), .. Name("memory"), 0x02, 0x00, 0x01]))));
        var v = Assert.Single(ImportPolicy.Check(module, []));
        Assert.Contains("memory imports are not provided by the device", v.Message);
    }

    [Fact]
    public void Every_violation_is_reported_at_once()
    {
        var module = WasmModuleParser.Parse(Module(Types(), Section(2, Vec(
            FuncImport("atym", "log", 2), FuncImport("env", "x", 0), FuncImport("wasi_snapshot_preview1", "random_get", 0)))));
        Assert.Equal(3, ImportPolicy.Check(module, []).Count);
    }

    [Fact]
    public void The_table_names_each_host_function_once_and_wasi_entries_return_errno()
    {
        Assert.Equal(DeviceApi.Functions.Count, DeviceApi.Functions.Select(f => f.QualifiedName).Distinct().Count());
        Assert.All(DeviceApi.Functions.Where(f => f.Module == DeviceApi.WasiModule && f.Name != "proc_exit"),
            f => Assert.Equal([WasmValueType.I32], f.Signature.Results));
        Assert.Equal(CapabilityKind.Log, DeviceApi.Find("wasi_snapshot_preview1", "fd_write")!.Requires);
        Assert.Null(DeviceApi.Find("wasi_snapshot_preview1", "proc_exit")!.Requires);
        Assert.Equal(CapabilityKind.Blob, DeviceApi.Find("atym", "blob_read")!.Requires);
    }

    [Fact]
    public void Derived_simple_capabilities_cover_wasi_imports_but_never_parameterized_ones()
    {
        var sample = WasmModuleParser.Parse(File.ReadAllBytes(RepositoryRoot.File("samples/anomaly-detector/anomaly-detector.wasm")));
        Assert.Equal([Capability.Log], ImportPolicy.RequiredSimpleCapabilities(sample));
    }
}
