using AtymSecure.Formats.DeviceClasses;

namespace AtymSecure.Delivery.Compilation;

/// <summary>
/// The entry point the CLI (<c>atym compile</c>), the bundle builder and the OTA server call: picks the compiler
/// for a device class or key and compiles.
/// </summary>
public static class AotCompilerRegistry
{
    private static readonly IAotCompiler[] Compilers =
        [new WasmtimeInProcessCompiler(), new WasmtimeWorkerCompiler(), new Wasm2cCompiler()];

    /// <summary>Every compiler, in the order they are tried.</summary>
    public static IReadOnlyList<IAotCompiler> All => Compilers;

    /// <summary>The compiler that builds <paramref name="key"/> on this host.</summary>
    public static IAotCompiler For(CompilationKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Compilers.FirstOrDefault(c => c.Supports(key))
            ?? throw new AotTargetNotSupportedException(
                $"no compiler on this host builds {key.BackEnd} {key.BackEndVersion} for '{key.Triple}'");
    }

    /// <summary>The compiler for a device class (by its key, <see cref="CompilationKey.ForDeviceClass"/>).</summary>
    public static IAotCompiler For(DeviceClass deviceClass) => For(CompilationKey.ForDeviceClass(deviceClass));

    /// <summary>Compiles <paramref name="wasm"/> for a device class; the recipe names the class.</summary>
    public static Task<CompiledArtifact> CompileAsync(ReadOnlyMemory<byte> wasm, DeviceClass deviceClass, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(deviceClass);
        var key = CompilationKey.ForDeviceClass(deviceClass);
        return For(key).CompileAsync(wasm, key, deviceClass.Name, ct);
    }

    /// <summary>Compiles <paramref name="wasm"/> for a device class given by its stable name (e.g. <c>mcu-cortex-m4</c>).</summary>
    public static Task<CompiledArtifact> CompileAsync(ReadOnlyMemory<byte> wasm, string deviceClassName, CancellationToken ct) =>
        CompileAsync(wasm, DeviceClassTable.Get(deviceClassName), ct);

    /// <summary>Compiles for an explicit key (e.g. <see cref="Wasm2cTargets.LinuxX86_64"/>); no device class is recorded.</summary>
    public static Task<CompiledArtifact> CompileAsync(ReadOnlyMemory<byte> wasm, CompilationKey key, CancellationToken ct) =>
        For(key).CompileAsync(wasm, key, null, ct);
}
