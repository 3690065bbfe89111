namespace AtymSecure.Formats.DeviceClasses;

/// <summary>Instruction set family of a device class.</summary>
public enum Isa
{
    X86_64,
    Aarch64,
    /// <summary>Wasmtime's portable Pulley interpreter bytecode (64-bit pointers).</summary>
    Pulley64,
    ArmV7EM,
    ArmV8MMain,
    RiscV32,
}

/// <summary>
/// One stable device class: the name a container targets and a device reports, and the facts every
/// compiler back end needs. Immutable; extend with <c>with</c> expressions or new optional members
/// (the AoT back ends add CPU features and engine settings), never by mutating the table.
/// See docs/container-format.md#device-classes.
/// </summary>
/// <param name="Name">Stable identifier, lowercase, e.g. <c>linux-aarch64</c>.</param>
/// <param name="Isa">Instruction set family.</param>
/// <param name="Triple">Target triple used by compilers for this class.</param>
/// <param name="PointerBits">Native pointer width in bits (32 or 64).</param>
/// <param name="IsMicrocontroller">True for bare-metal MCU classes (no OS, small RAM).</param>
public sealed record DeviceClass(string Name, Isa Isa, string Triple, int PointerBits, bool IsMicrocontroller)
{
    /// <summary>Extra, named properties other components attach (CPU features, engine flags).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = EmptyProperties;

    private static readonly IReadOnlyDictionary<string, string> EmptyProperties =
        new SortedDictionary<string, string>(StringComparer.Ordinal);

    public override string ToString() => Name;
}
