using AtymSecure.Engines;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Delivery.Compilation;
using Wasmtime;

namespace AtymSecure.Delivery.Tests.Compilation;

[Collection(TestKernelCollection.Name)]
[Trait("Requires", "clang")]
public sealed class WasmtimeInProcessCompilerTests(TestKernelFixture kernel)
{
    [Theory]
    [InlineData("linux-x86_64", ElfHeader.MachineX86_64)]
    [InlineData("portable-pulley64", 0)]
    public async Task Compiled_artifact_deserializes_and_gives_the_plain_wasm_result(string deviceClass, int elfMachine)
    {
        var artifact = await AotCompilerRegistry.CompileAsync(kernel.Wasm, deviceClass, CancellationToken.None);

        var elf = ElfHeader.Read(artifact.Bytes.Span);
        Assert.Equal(ElfHeader.Class64, elf.Class);
        if (elfMachine != 0) Assert.Equal(elfMachine, elf.Machine);
        using var engine = EngineFactory.Create(EngineProfile.For(DeviceClassTable.Get(deviceClass)));
        using var module = Module.Deserialize(engine, "kernel", artifact.Bytes.Span);
        Assert.Equal(kernel.ExpectedResult, WasmtimeRun.CallRun(engine, module, TestKernelFixture.RunArgument));
    }

    [Theory]
    [InlineData("linux-x86_64")]
    [InlineData("portable-pulley64")]
    public async Task Two_compilations_with_fresh_engines_give_identical_bytes(string deviceClass)
    {
        var first = await AotCompilerRegistry.CompileAsync(kernel.Wasm, deviceClass, CancellationToken.None);
        var second = await AotCompilerRegistry.CompileAsync(kernel.Wasm, deviceClass, CancellationToken.None);

        Assert.True(first.Bytes.Span.SequenceEqual(second.Bytes.Span), "Wasmtime output differs between two compilations");
        Assert.Equal(first.Recipe.ToJsonBytes(), second.Recipe.ToJsonBytes());
    }

    [Fact]
    public async Task Recipe_names_source_output_key_and_tools()
    {
        var artifact = await kernel.CompileOnceAsync(DeviceClassTable.LinuxX86_64);
        var recipe = artifact.Recipe;

        Assert.Equal(RecipeSubject.Of(kernel.Wasm).Digest, recipe.Source.Digest);
        Assert.Equal(RecipeSubject.Of(artifact.Bytes.Span).Digest, recipe.Output.Digest);
        Assert.Equal(artifact.Bytes.Length, recipe.Output.Size);
        Assert.Equal("linux-x86_64", recipe.DeviceClass);
        Assert.Equal("x86_64-unknown-linux-gnu", recipe.Key.Triple);
        Assert.Equal(DeviceClassEngineProfiles.LinuxX86_64.CpuFeatures, recipe.Key.CpuFeatures);
        Assert.Equal(BackEndVersions.Wasmtime, recipe.Key.BackEndVersion);
        Assert.Contains("wasmtime", recipe.Tools.Keys);
        Assert.Empty(recipe.Validate());
    }

    [Fact]
    public async Task Cpu_features_from_the_profile_change_the_compiled_code()
    {
        var withFeatures = CompilationKey.ForDeviceClass(DeviceClassTable.LinuxX86_64);
        var baseline = withFeatures with { CpuFeatures = [] };
        var compiler = new WasmtimeInProcessCompiler();

        var a = await compiler.CompileAsync(kernel.Wasm, withFeatures, null, CancellationToken.None);
        var b = await compiler.CompileAsync(kernel.Wasm, baseline, null, CancellationToken.None);

        Assert.False(a.Bytes.Span.SequenceEqual(b.Bytes.Span), "enabling Cranelift ISA flags did not change the artifact");
        Assert.NotEqual(withFeatures.Digest, baseline.Digest);
    }

    [Fact]
    public async Task Loading_with_different_engine_settings_is_refused()
    {
        var key = CompilationKey.ForDeviceClass(DeviceClassTable.LinuxX86_64);
        var artifact = await AotCompilerRegistry.CompileAsync(kernel.Wasm, key, CancellationToken.None);
        var mismatched = key with { Engine = key.Engine with { EpochInterruption = false } };

        using var engine = EngineFactory.Create(WasmtimeKeys.ToProfile(mismatched, null));
        var ex = Assert.ThrowsAny<WasmtimeException>(() => Module.Deserialize(engine, "kernel", artifact.Bytes.Span));
        Assert.Contains("epoch", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Aarch64_is_refused_in_process_instead_of_aborting()
    {
        var key = CompilationKey.ForDeviceClass(DeviceClassTable.LinuxAarch64);
        var ex = await Assert.ThrowsAsync<AotTargetNotSupportedException>(
            () => new WasmtimeInProcessCompiler().CompileAsync(kernel.Wasm, key, null, CancellationToken.None));
        Assert.Contains("aarch64", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Input_that_is_not_wasm_is_refused()
    {
        var ex = await Assert.ThrowsAsync<AotCompilationException>(
            () => AotCompilerRegistry.CompileAsync("not wasm at all"u8.ToArray(), "linux-x86_64", CancellationToken.None));
        Assert.Contains("WebAssembly", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_wasm_body_gives_a_compilation_error()
    {
        byte[] broken = [.. kernel.Wasm[..^10]];
        var ex = await Assert.ThrowsAsync<AotCompilationException>(
            () => AotCompilerRegistry.CompileAsync(broken, "linux-x86_64", CancellationToken.None));
        Assert.Contains("x86_64-unknown-linux-gnu", ex.Message, StringComparison.Ordinal);
    }
}
