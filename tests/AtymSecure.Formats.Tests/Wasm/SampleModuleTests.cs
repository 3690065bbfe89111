using AtymSecure.TestSupport;
using AtymSecure.Formats.Wasm;

namespace AtymSecure.Formats.Tests.Wasm;

/// <summary>Golden: the committed sample modules (built by samples/build.sh) parse to the interface their sources declare.</summary>
public class SampleModuleTests
{
    [Theory]
    [InlineData("samples/sensor-filter/sensor-filter.wasm", "atym.var_get,atym.sensor_read,atym.log,atym.publish,wasi_snapshot_preview1.fd_close,wasi_snapshot_preview1.fd_seek,wasi_snapshot_preview1.fd_write")]
    [InlineData("samples/sensor-filter-v1.1.0/sensor-filter.wasm", "atym.var_get,atym.sensor_read,atym.log,atym.publish,wasi_snapshot_preview1.fd_close,wasi_snapshot_preview1.fd_seek,wasi_snapshot_preview1.fd_write")]
    [InlineData("samples/anomaly-detector/anomaly-detector.wasm", "atym.blob_size,atym.log,atym.blob_read,atym.sensor_read,atym.publish,wasi_snapshot_preview1.fd_close,wasi_snapshot_preview1.fd_seek,wasi_snapshot_preview1.fd_write")]
    [InlineData("samples/faulty/faulty.wasm", "atym.log")]
    public void Sample_modules_have_the_expected_imports_exports_and_memory(string path, string imports)
    {
        var module = WasmModuleParser.Parse(File.ReadAllBytes(RepositoryRoot.File(path)));

        Assert.Equal(imports.Split(','), module.Imports.Select(i => $"{i.Module}.{i.Name}"));
        Assert.Equal("() -> (i32)", module.GetExportedFunctionType("atym_step")?.ToString());
        Assert.Equal("() -> (i32)", module.GetExportedFunctionType("atym_health")?.ToString());
        Assert.Equal("() -> ()", module.GetExportedFunctionType("_initialize")?.ToString());
        var memory = Assert.Single(module.Memories);
        Assert.Equal((131072UL, (ulong?)131072UL), (memory.MinimumBytes, memory.MaximumBytes));
        Assert.Equal(131072UL, module.DeclaredMaximumMemoryBytes);
    }
}
