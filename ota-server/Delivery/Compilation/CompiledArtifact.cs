namespace AtymSecure.Delivery.Compilation;

/// <summary>The bytes a device runs, and the recipe that made them.</summary>
/// <param name="Bytes">The compiled output (Wasmtime <c>.cwasm</c> or a relocatable ELF object).</param>
/// <param name="Recipe">How the output was made; its output digest matches <see cref="Bytes"/>.</param>
public sealed record CompiledArtifact(ReadOnlyMemory<byte> Bytes, CompilationRecipe Recipe)
{
    /// <summary>sha256 digest of <see cref="Bytes"/>, <c>sha256:hex</c>.</summary>
    public string Digest => Recipe.Output.Digest;

    /// <summary>Media type of <see cref="Bytes"/>.</summary>
    public string MediaType => Recipe.Output.MediaType;
}

/// <summary>One AoT back end. Implementations are stateless and safe to call concurrently.</summary>
public interface IAotCompiler
{
    /// <summary>The back end this compiler drives.</summary>
    Formats.DeviceClasses.AotBackEndKind BackEnd { get; }

    /// <summary>True if this compiler can produce code for <paramref name="key"/> on this host.</summary>
    bool Supports(CompilationKey key);

    /// <summary>
    /// Compiles <paramref name="wasm"/> for <paramref name="key"/>. Deterministic: equal inputs give equal bytes.
    /// Throws <see cref="AotCompilationException"/> (or a subtype: missing tool, wrong tool version, unsupported target).
    /// </summary>
    /// <param name="wasm">The Wasm module.</param>
    /// <param name="key">What to compile for.</param>
    /// <param name="deviceClass">Device class name recorded in the recipe, or null.</param>
    /// <param name="ct">Cancels the compilation (child processes are killed).</param>
    Task<CompiledArtifact> CompileAsync(ReadOnlyMemory<byte> wasm, CompilationKey key, string? deviceClass, CancellationToken ct);
}
