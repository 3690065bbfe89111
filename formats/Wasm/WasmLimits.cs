namespace AtymSecure.Formats.Wasm;

/// <summary>
/// Hard limits the parser enforces before it allocates anything proportional to a count read from the
/// module. Defaults fit the largest container module we expect (SQLite-sized, ~1 MiB) with wide margin.
/// </summary>
public sealed record WasmLimits
{
    public static WasmLimits Default { get; } = new();

    /// <summary>Largest module accepted, in bytes.</summary>
    public int MaxModuleBytes { get; init; } = 32 * 1024 * 1024;

    /// <summary>Most sections (custom sections included).</summary>
    public int MaxSections { get; init; } = 1024;

    public int MaxTypes { get; init; } = 100_000;

    /// <summary>Most parameters or results of one function type.</summary>
    public int MaxTypeArity { get; init; } = 1000;

    public int MaxImports { get; init; } = 100_000;

    public int MaxExports { get; init; } = 100_000;

    public int MaxFunctions { get; init; } = 1_000_000;

    public int MaxTables { get; init; } = 100;

    public int MaxMemories { get; init; } = 100;

    public int MaxGlobals { get; init; } = 1_000_000;

    /// <summary>Longest import/export/custom-section name, in bytes.</summary>
    public int MaxNameBytes { get; init; } = 1024;
}
