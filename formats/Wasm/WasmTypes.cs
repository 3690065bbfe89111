namespace AtymSecure.Formats.Wasm;

// Types of the Wasm core binary format, release 2.0:
// https://webassembly.github.io/spec/core/binary/types.html

/// <summary>Value types, with their binary encoding. https://webassembly.github.io/spec/core/binary/types.html#value-types</summary>
public enum WasmValueType : byte
{
    I32 = 0x7F,
    I64 = 0x7E,
    F32 = 0x7D,
    F64 = 0x7C,
    V128 = 0x7B,
    FuncRef = 0x70,
    ExternRef = 0x6F,
}

/// <summary>Kinds of imports and exports. https://webassembly.github.io/spec/core/binary/modules.html#import-section</summary>
public enum WasmExternalKind : byte
{
    Function = 0,
    Table = 1,
    Memory = 2,
    Global = 3,
    /// <summary>Exception-handling proposal tags.</summary>
    Tag = 4,
}

/// <summary>A function signature. https://webassembly.github.io/spec/core/binary/types.html#function-types</summary>
public sealed record WasmFunctionType(IReadOnlyList<WasmValueType> Parameters, IReadOnlyList<WasmValueType> Results)
{
    public bool Matches(IReadOnlyList<WasmValueType> parameters, IReadOnlyList<WasmValueType> results) =>
        Parameters.SequenceEqual(parameters) && Results.SequenceEqual(results);

    public override string ToString() =>
        $"({string.Join(", ", Parameters.Select(Name))}) -> ({string.Join(", ", Results.Select(Name))})";

    private static string Name(WasmValueType t) => t.ToString().ToLowerInvariant();
}

/// <summary>
/// Memory or table limits, in pages (64 KiB) for memories and elements for tables.
/// https://webassembly.github.io/spec/core/binary/types.html#limits
/// </summary>
public sealed record WasmLimitsValue(ulong Minimum, ulong? Maximum, bool Shared = false, bool Is64 = false);

/// <summary>A linear memory (imported or defined).</summary>
public sealed record WasmMemory(WasmLimitsValue Limits, bool Imported)
{
    public const int PageBytes = 65536;

    /// <summary>Maximum size in bytes, when the module declares one.</summary>
    public ulong? MaximumBytes => Limits.Maximum is { } pages ? pages * PageBytes : null;

    public ulong MinimumBytes => Limits.Minimum * PageBytes;
}

/// <summary>A table (imported or defined).</summary>
public sealed record WasmTable(WasmValueType ElementType, WasmLimitsValue Limits, bool Imported);

/// <summary>
/// One import. <see cref="FunctionType"/> is set for function imports; <see cref="Memory"/> for memory
/// imports. https://webassembly.github.io/spec/core/binary/modules.html#import-section
/// </summary>
public sealed record WasmImport(string Module, string Name, WasmExternalKind Kind)
{
    public WasmFunctionType? FunctionType { get; init; }

    public WasmLimitsValue? Limits { get; init; }

    public override string ToString() => $"{Module}.{Name} ({Kind.ToString().ToLowerInvariant()})";
}

/// <summary>One export. https://webassembly.github.io/spec/core/binary/modules.html#export-section</summary>
public sealed record WasmExport(string Name, WasmExternalKind Kind, uint Index);

/// <summary>Where a section sits in the module (for inspection and diagnostics).</summary>
public sealed record WasmSection(byte Id, string Name, long Offset, long Size, string? CustomName = null);
