namespace AtymSecure.Formats.Delta;

/// <summary>
/// Size limits a reader enforces before it trusts any length in a patch. Defaults fit the largest
/// artifacts we ship (tens of MB); a device passes its own slot size.
/// </summary>
public sealed record DeltaLimits
{
    /// <summary>Largest old (base) image accepted.</summary>
    public long MaxOldSize { get; init; } = 256L * 1024 * 1024;

    /// <summary>Largest new (target) image accepted.</summary>
    public long MaxNewSize { get; init; } = 256L * 1024 * 1024;

    /// <summary>Largest patch body accepted.</summary>
    public long MaxBodySize { get; init; } = 256L * 1024 * 1024;

    /// <summary>Largest zstd window (log2) the Linux-class decoder will allocate.</summary>
    public int MaxZstdWindowLog { get; init; } = 30;

    public static DeltaLimits Default { get; } = new();
}
