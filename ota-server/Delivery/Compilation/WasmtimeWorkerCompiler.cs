using AtymSecure.Formats.DeviceClasses;

namespace AtymSecure.Delivery.Compilation;

/// <summary>
/// Wasmtime/Cranelift for aarch64 Linux: the x86_64 library cannot emit aarch64 (it aborts the process when
/// asked), so the compile runs in a child process: the aarch64 worker under qemu-aarch64.
/// </summary>
public sealed class WasmtimeWorkerCompiler : IAotCompiler
{
    /// <summary>Emulated Cranelift is slow: ~0.5 s for a tiny module, minutes for megabyte modules.</summary>
    public static TimeSpan CompileTimeout { get; } = TimeSpan.FromMinutes(15);

    public AotBackEndKind BackEnd => AotBackEndKind.WasmtimeCranelift;

    public bool Supports(CompilationKey key) =>
        key is { BackEnd: AotBackEndKind.WasmtimeCranelift } &&
        key.BackEndVersion == BackEndVersions.Wasmtime &&
        key.Triple.StartsWith("aarch64-", StringComparison.Ordinal) &&
        OperatingSystem.IsLinux();

    public async Task<CompiledArtifact> CompileAsync(ReadOnlyMemory<byte> wasm, CompilationKey key, string? deviceClass, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        AotCompilerGuards.RequireValidKey(key);
        AotCompilerGuards.RequireWasmHeader(wasm.Span);
        if (!Supports(key))
            throw new AotTargetNotSupportedException(
                $"{nameof(WasmtimeWorkerCompiler)} builds aarch64 Linux targets with Wasmtime {BackEndVersions.Wasmtime}, not '{key.Triple}' (Wasmtime {key.BackEndVersion})");
        var worker = await WasmtimeAarch64Worker.PrepareAsync(ct).ConfigureAwait(false);
        var dir = Directory.CreateTempSubdirectory("atym-aot-a64-");
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(dir.FullName, "module.wasm"), wasm.ToArray(), ct).ConfigureAwait(false);
            string[] args = ["precompile", key.Triple, "module.wasm", "module.cwasm", .. WasmtimeKeys.WorkerOptions(WasmtimeKeys.ToProfile(key, deviceClass))];
            await worker.RunAsync(args, dir.FullName, CompileTimeout, ct).ConfigureAwait(false);
            var output = await File.ReadAllBytesAsync(Path.Combine(dir.FullName, "module.cwasm"), ct).ConfigureAwait(false);
            var recipe = RecipeBuilder.Create(wasm.Span, output, key, deviceClass, worker.Tools,
                inputs: new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["runtimes/linux-arm64/native/libwasmtime.so"] = RecipeBuilder.FileDigest(worker.LibraryPath),
                    ["native/" + EmbeddedNativeSources.WasmtimeWorker] = EmbeddedNativeSources.Digest(EmbeddedNativeSources.WasmtimeWorker),
                },
                steps:
                [
                    $"aarch64-linux-gnu-gcc -O2 -Wall -o wasmtime-aot-worker-aarch64 {EmbeddedNativeSources.WasmtimeWorker} -ldl",
                    $"qemu-aarch64 -L {WasmtimeAarch64Worker.Sysroot} wasmtime-aot-worker-aarch64 libwasmtime.so {string.Join(' ', args)}",
                ]);
            return new CompiledArtifact(output, recipe);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
