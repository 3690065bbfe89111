using AtymSecure.Delivery.Compilation;
using Wasmtime;

namespace AtymSecure.Delivery.Tests.Compilation;

/// <summary>
/// The one small module every back end compiles: TestData/kernel.c (CRC32, matmul, SHA-style mixing) built with
/// clang --target=wasm32 into an import-free module with one 64 KiB page, and its result from a plain Wasm run.
/// </summary>
public sealed class TestKernelFixture : IAsyncLifetime
{
    /// <summary>Argument passed to <c>run</c> in every back end.</summary>
    public const int RunArgument = 3;

    public byte[] Wasm { get; private set; } = [];

    /// <summary>run(RunArgument) under Wasmtime's default engine, straight from the Wasm (no AoT).</summary>
    public int ExpectedResult { get; private set; }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<CompiledArtifact>>> _compiled = new(StringComparer.Ordinal);

    /// <summary>
    /// The kernel compiled for a device class, compiled once and shared by the tests that only inspect or run it
    /// (determinism tests compile a second, fresh copy themselves).
    /// </summary>
    public Task<CompiledArtifact> CompileOnceAsync(Formats.DeviceClasses.DeviceClass deviceClass) =>
        _compiled.GetOrAdd(deviceClass.Name,
            _ => new Lazy<Task<CompiledArtifact>>(() => AotCompilerRegistry.CompileAsync(Wasm, deviceClass, CancellationToken.None))).Value;

    public string WorkDirectory { get; } = Directory.CreateTempSubdirectory("atym-aot-tests-").FullName;

    public async Task InitializeAsync()
    {
        var clang = CompilationTestEnvironment.Require("clang", "clang");
        CompilationTestEnvironment.Require("wasm-ld", "lld");
        var output = Path.Combine(WorkDirectory, "kernel.wasm");
        await ToolRunner.RunCheckedAsync(clang,
            ["--target=wasm32", "-O2", "-nostdlib", "-Wl,--no-entry", "-Wl,-z,stack-size=4096",
             "-Wl,--initial-memory=65536", "-Wl,--max-memory=65536", "-o", output,
             Path.Combine(CompilationTestEnvironment.TestData, "kernel.c")],
            WorkDirectory, TimeSpan.FromMinutes(2), CancellationToken.None);
        Wasm = await File.ReadAllBytesAsync(output);
        ExpectedResult = RunPlainWasm(Wasm, RunArgument);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(WorkDirectory, recursive: true);
        return Task.CompletedTask;
    }

    private static int RunPlainWasm(byte[] wasm, int argument)
    {
        using var engine = new Engine();
        using var module = Module.FromBytes(engine, "kernel", wasm);
        return WasmtimeRun.CallRun(engine, module, argument);
    }
}

[CollectionDefinition(Name)]
public sealed class TestKernelCollection : ICollectionFixture<TestKernelFixture>
{
    /// <summary>Compilation tests share the kernel and run one at a time (2 shared cores).</summary>
    public const string Name = "AoT compilation";
}

/// <summary>Instantiates a module and calls its <c>run(i32) -> i32</c> export.</summary>
internal static class WasmtimeRun
{
    public static int CallRun(Engine engine, Module module, int argument)
    {
        using var store = new Store(engine);
        store.SetEpochDeadline(ulong.MaxValue / 2); // engines with epoch checks trap at deadline 0
        var instance = new Linker(engine).Instantiate(store, module);
        var run = instance.GetFunction<int, int>("run") ?? throw new InvalidOperationException("kernel has no run(i32) -> i32 export");
        return run(argument);
    }
}
