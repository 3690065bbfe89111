namespace AtymSecure.Primitives;

/// <summary>What <see cref="AtomicFile"/> does when the target already exists.</summary>
public enum AtomicWriteMode
{
    /// <summary>Replace the old file in one rename: readers see the old content or the new, never a mix.</summary>
    Overwrite,

    /// <summary>Refuse with <see cref="IOException"/> if the target exists, also when another writer creates it meanwhile.</summary>
    CreateNew,
}

/// <summary>How <see cref="AtomicFile"/> writes one file.</summary>
public sealed record AtomicWriteOptions
{
    public static AtomicWriteOptions Default { get; } = new();

    public AtomicWriteMode Mode { get; init; } = AtomicWriteMode.Overwrite;

    /// <summary>
    /// Create the file owner read/write only (0600) from its first byte, so no other user can open it even
    /// briefly; never a chmod after the write. Ignored on Windows, which has no Unix modes.
    /// </summary>
    public bool OwnerOnly { get; init; }
}
