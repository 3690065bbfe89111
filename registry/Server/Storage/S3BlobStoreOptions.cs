namespace AtymSecure.Registry.Storage;

/// <summary>
/// Sizes of <see cref="S3BlobStore"/>'s objects. <see cref="ChunkSize"/>: an upload's bytes are buffered in memory up to this
/// much and then stored as one chunk object (a PATCH of 1 GiB becomes 64 objects; a replica holds no upload state on disk).
/// <see cref="PartSize"/>: a blob up to this size is committed with one PUT, a larger one as a multipart upload of parts of
/// this size (S3 wants 5 MiB or more per part; at most 10000 parts, so 16 MiB parts reach 156 GiB).
/// </summary>
public sealed record S3BlobStoreOptions
{
    public const long MinimumPartSize = 8L << 20;

    public int ChunkSize { get; init; } = 16 << 20;

    public int PartSize { get; init; } = 16 << 20;

    public S3BlobStoreOptions EnsureValid()
    {
        if (ChunkSize < 1 << 16) throw new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, "at least 64 KiB");
        if (PartSize < MinimumPartSize || PartSize > 1 << 30) throw new ArgumentOutOfRangeException(nameof(PartSize), PartSize, "8 MiB to 1 GiB");
        return this;
    }
}
