namespace AtymSecure.Formats.UpdateMetadata.Verification;

/// <summary>
/// The bounds a device puts on update metadata (docs/trust-model.md §3 and §9, docs/update-metadata.md "Size caps"):
/// bytes per role, read before parsing, so endless data costs at most this much; root rotations and delegations per
/// cycle; the clock skew tolerated on expiry. Tests shrink them; devices use <see cref="Default"/>.
/// </summary>
public sealed record UpdateMetadataLimits
{
    /// <summary>A root with a handful of keys is ~2 KiB; 64 KiB leaves room for 2-of-3 thresholds of PEM keys per role.</summary>
    public const long DefaultMaxRootBytes = 64 * 1024;

    /// <summary>A timestamp lists one file: ~1 KiB signed. tuf-js uses the same 16 KiB.</summary>
    public const long DefaultMaxTimestampBytes = 16 * 1024;

    /// <summary>One entry (~150 bytes) per targets file: room for ~1500 delegated roles.</summary>
    public const long DefaultMaxSnapshotBytes = 256 * 1024;

    /// <summary>Top-level targets holds delegations only (docs/trust-model.md §1).</summary>
    public const long DefaultMaxTopTargetsBytes = 256 * 1024;

    /// <summary>A delegated file lists one entry (~600 bytes) per image or source: ~1500 releases per role.</summary>
    public const long DefaultMaxDelegatedTargetsBytes = 1024 * 1024;

    /// <summary>One device's assignment: a few containers.</summary>
    public const long DefaultMaxDirectorTargetsBytes = 64 * 1024;

    /// <summary>Root versions walked per cycle; an offline device that missed more catches up over several polls.</summary>
    public const int DefaultMaxRootRotations = 1024;

    /// <summary>Delegated roles loaded per target search (python-tuf and tuf-js: 32).</summary>
    public const int DefaultMaxDelegationsVisited = 32;

    public static readonly UpdateMetadataLimits Default = new();

    public long MaxRootBytes { get; init; } = DefaultMaxRootBytes;

    public long MaxTimestampBytes { get; init; } = DefaultMaxTimestampBytes;

    public long MaxSnapshotBytes { get; init; } = DefaultMaxSnapshotBytes;

    public long MaxTopTargetsBytes { get; init; } = DefaultMaxTopTargetsBytes;

    public long MaxDelegatedTargetsBytes { get; init; } = DefaultMaxDelegatedTargetsBytes;

    public long MaxDirectorTargetsBytes { get; init; } = DefaultMaxDirectorTargetsBytes;

    public int MaxRootRotations { get; init; } = DefaultMaxRootRotations;

    public int MaxDelegationsVisited { get; init; } = DefaultMaxDelegationsVisited;

    /// <summary>
    /// Delegation depth: top-level targets delegates, delegated roles do not (docs/trust-model.md §11.4). A delegated
    /// file at this depth that delegates further is <c>metadata-malformed</c>.
    /// </summary>
    public int MaxDelegationDepth { get; init; } = 1;

    /// <summary>Metadata is expired when <c>expires ≤ now − skew</c> (docs/trust-model.md §9: 5 minutes).</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>An idle device still refreshes the image root this often, so it follows key rotations (step 3).</summary>
    public TimeSpan ImageRootRefreshInterval { get; init; } = TimeSpan.FromHours(24);
}
