using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Delivery.Compilation;

namespace AtymSecure.Delivery.Tests.Compilation;

/// <summary>linux-aarch64: compiled by the arm64 libwasmtime under qemu-aarch64, and run there.</summary>
[Collection(TestKernelCollection.Name)]
[Trait("Requires", "clang")]
[Trait("Requires", "qemu")]
public sealed class WasmtimeAarch64Tests(TestKernelFixture kernel)
{
    [Fact]
    public async Task Aarch64_artifact_runs_under_qemu_aarch64_with_the_plain_wasm_result()
    {
        var artifact = await kernel.CompileOnceAsync(DeviceClassTable.LinuxAarch64);

        var elf = ElfHeader.Read(artifact.Bytes.Span);
        Assert.Equal(ElfHeader.MachineAarch64, elf.Machine);
        Assert.Equal("linux-aarch64", artifact.Recipe.DeviceClass);
        Assert.Contains("qemu-aarch64", artifact.Recipe.Tools.Keys);
        var worker = await WasmtimeAarch64Worker.PrepareAsync(CancellationToken.None);
        var key = CompilationKey.ForDeviceClass(DeviceClassTable.LinuxAarch64);
        var result = await worker.RunExportAsync(artifact.Bytes, key, "run", TestKernelFixture.RunArgument,
            CompilationTestEnvironment.QemuTimeout, CancellationToken.None);
        Assert.Equal(kernel.ExpectedResult, result);
    }

    [Fact]
    public async Task Two_compilations_in_separate_processes_give_identical_bytes()
    {
        var compiler = new WasmtimeWorkerCompiler();
        var key = CompilationKey.ForDeviceClass(DeviceClassTable.LinuxAarch64);

        var first = await compiler.CompileAsync(kernel.Wasm, key, "linux-aarch64", CancellationToken.None);
        var second = await compiler.CompileAsync(kernel.Wasm, key, "linux-aarch64", CancellationToken.None);

        Assert.True(first.Bytes.Span.SequenceEqual(second.Bytes.Span), "aarch64 output differs between two worker processes");
        Assert.Equal(first.Recipe.ToJsonBytes(), second.Recipe.ToJsonBytes());
    }

    [Fact]
    public async Task Pulley64_artifact_built_on_x86_64_runs_on_aarch64()
    {
        var artifact = await kernel.CompileOnceAsync(DeviceClassTable.PortablePulley64);
        var worker = await WasmtimeAarch64Worker.PrepareAsync(CancellationToken.None);

        var result = await worker.RunExportAsync(artifact.Bytes, CompilationKey.ForDeviceClass(DeviceClassTable.PortablePulley64),
            "run", TestKernelFixture.RunArgument, CompilationTestEnvironment.QemuTimeout, CancellationToken.None);

        Assert.Equal(kernel.ExpectedResult, result);
    }

    [Fact]
    public async Task X86_64_artifact_is_rejected_by_the_aarch64_engine()
    {
        var artifact = await kernel.CompileOnceAsync(DeviceClassTable.LinuxX86_64);
        var worker = await WasmtimeAarch64Worker.PrepareAsync(CancellationToken.None);

        var ex = await Assert.ThrowsAsync<AotCompilationException>(() => worker.RunExportAsync(artifact.Bytes,
            CompilationKey.ForDeviceClass(DeviceClassTable.LinuxAarch64), "run", 1, CompilationTestEnvironment.QemuTimeout, CancellationToken.None));
        Assert.Contains("rejected", ex.Message, StringComparison.Ordinal);
    }
}
