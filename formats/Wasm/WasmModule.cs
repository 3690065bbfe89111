namespace AtymSecure.Formats.Wasm;

/// <summary>
/// What the parser learnt about a core Wasm module: enough to check a container against its permissions
/// (imports), its config (exports, entrypoint, probe) and its resource limits (memories).
/// Produced by <see cref="WasmModuleParser"/>; immutable.
/// </summary>
public sealed record WasmModule
{
    public required IReadOnlyList<WasmSection> Sections { get; init; }

    public required IReadOnlyList<WasmFunctionType> Types { get; init; }

    public required IReadOnlyList<WasmImport> Imports { get; init; }

    public required IReadOnlyList<WasmExport> Exports { get; init; }

    /// <summary>Imported memories first, then defined ones (the memory index space).</summary>
    public required IReadOnlyList<WasmMemory> Memories { get; init; }

    /// <summary>Imported tables first, then defined ones.</summary>
    public required IReadOnlyList<WasmTable> Tables { get; init; }

    /// <summary>Type index of every function in the function index space (imports first).</summary>
    public required IReadOnlyList<uint> FunctionTypeIndices { get; init; }

    public required int ImportedFunctionCount { get; init; }

    public required int GlobalCount { get; init; }

    public uint? StartFunction { get; init; }

    public IEnumerable<string> CustomSectionNames => Sections.Where(s => s.Id == 0).Select(s => s.CustomName!);

    public IEnumerable<WasmImport> FunctionImports => Imports.Where(i => i.Kind == WasmExternalKind.Function);

    public WasmExport? FindExport(string name) => Exports.FirstOrDefault(e => e.Name == name);

    /// <summary>The signature of an exported function, or null when no function export has that name.</summary>
    public WasmFunctionType? GetExportedFunctionType(string name)
    {
        var export = FindExport(name);
        if (export is null || export.Kind != WasmExternalKind.Function) return null;
        return Types[(int)FunctionTypeIndices[(int)export.Index]];
    }

    /// <summary>The largest declared maximum of memory 0 in bytes; null when unbounded or no memory.</summary>
    public ulong? DeclaredMaximumMemoryBytes => Memories.Count > 0 ? Memories[0].MaximumBytes : null;
}
