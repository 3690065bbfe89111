using AtymSecure.Bootloader.Flash;

namespace AtymSecure.Bootloader.Simulator;

/// <summary>What happens to the operation at which power is cut.</summary>
public enum CutKind
{
    /// <summary>The operation does not happen at all (MCUboot simulator semantics).</summary>
    PowerCut,

    /// <summary>A program is torn: only a random prefix, or a random subset of the bits, lands.</summary>
    TornProgram,

    /// <summary>An erase is interrupted: the sector is left with random content.</summary>
    InterruptedErase,
}

/// <summary>How a torn program damages its data.</summary>
public enum TornProgramStyle
{
    /// <summary>Pick prefix or bit subset at random per cut.</summary>
    Random,

    /// <summary>Only the first n bytes (n random, possibly 0) are programmed.</summary>
    Prefix,

    /// <summary>Only a random subset of the bits that should move do move.</summary>
    BitSubset,
}

/// <summary>
/// Faults to inject into a <see cref="SimulatedNorFlash"/>. Operation indexes are absolute: the
/// first program or erase the part ever performs is operation 1 (see
/// <see cref="SimulatedNorFlash.OperationCount"/>). A cut freezes the part until
/// <see cref="SimulatedNorFlash.PowerOn"/>.
/// </summary>
public sealed record FaultPlan
{
    /// <summary>Cut power before this operation (absolute index); null = never.</summary>
    public long? CutBeforeOperation { get; init; }

    /// <summary>What the cut does to that operation when it is of the matching kind.</summary>
    public CutKind CutKind { get; init; } = CutKind.PowerCut;

    public TornProgramStyle TornStyle { get; init; } = TornProgramStyle.Random;

    /// <summary>Probability that a program in <see cref="DroppedWriteRegion"/> silently does nothing.</summary>
    public double DroppedWriteProbability { get; init; }

    /// <summary>Byte range [Start, End) where writes may be dropped; null = the whole part.</summary>
    public (long Start, long End)? DroppedWriteRegion { get; init; }

    /// <summary>
    /// Programs complete out of order: until <see cref="IFlash.Sync"/> (or an erase, which waits
    /// for earlier writes) each program may or may not survive a power cut, independently.
    /// </summary>
    public bool OutOfOrderWrites { get; init; }

    /// <summary>Seed for every random choice the faults make (reproducible runs).</summary>
    public int Seed { get; init; }

    public static FaultPlan None { get; } = new();
}
