using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Registry.Storage;

/// <summary>Where a committed blob lives: its size, and a local file when the store has one (for sendfile).</summary>
public sealed record BlobInfo(Digest Digest, long Size, string? LocalPath, DateTimeOffset LastWriteUtc);

/// <summary>
/// Content-addressed blob storage plus the temporary files of uploads in progress.
/// A blob only becomes visible once complete and verified (<see cref="CommitUpload"/>); the file
/// implementation does this with fsync and an atomic rename. Another backend (object storage)
/// can implement the same contract.
/// </summary>
public interface IBlobStore
{
    BlobInfo? TryGet(Digest digest);

    /// <summary>Opens a committed blob for reading (for backends without local files).</summary>
    Stream OpenRead(Digest digest);

    /// <summary>Stores small content (manifests) atomically; a no-op when the digest already exists.</summary>
    Task PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken ct);

    Task<byte[]> ReadAllAsync(Digest digest, CancellationToken ct);

    bool Delete(Digest digest);

    /// <summary>Marks a blob as just used (a re-push, mount or manifest reference), so garbage collection's grace period restarts.</summary>
    void Touch(Digest digest);

    /// <summary>Every committed blob (for garbage collection).</summary>
    IEnumerable<BlobInfo> Enumerate();

    /// <summary>Creates the empty temporary file of an upload session.</summary>
    void CreateUpload(string uploadId);

    /// <summary>Current length of the upload's data, or null when its file is gone.</summary>
    long? UploadLength(string uploadId);

    /// <summary>Opens the upload's file positioned at its end, for appending. Callers flush when the chunk is complete:
    /// a backend may buffer (<see cref="S3BlobStore"/>) and drops what was not flushed when the stream is disposed.</summary>
    Stream OpenUploadForAppend(string uploadId);

    /// <summary>Opens the upload's file for reading from the start (to re-hash after a restart).</summary>
    Stream OpenUploadForRead(string uploadId);

    /// <summary>Cuts the upload back to <paramref name="length"/> bytes (undo of a failed chunk).</summary>
    void TruncateUpload(string uploadId, long length);

    /// <summary>
    /// Makes the verified upload data the blob <paramref name="digest"/> (durably, atomically) and
    /// removes the temporary file. Safe when several sessions commit the same digest at once.
    /// </summary>
    void CommitUpload(string uploadId, Digest digest);

    /// <summary><see cref="CommitUpload"/> for backends whose commit is network work (an object store re-reads and uploads the
    /// blob): the caller's thread is not held meanwhile. The default runs the synchronous commit.</summary>
    Task CommitUploadAsync(string uploadId, Digest digest)
    {
        CommitUpload(uploadId, digest);
        return Task.CompletedTask;
    }

    void DeleteUpload(string uploadId);

    /// <summary>Deletes temporary files that are not upload sessions (interrupted manifest writes) last written before <paramref name="cutoff"/>.</summary>
    int DeleteStaleTemporaryFiles(DateTimeOffset cutoff);

    /// <summary>Upload session files (by id) with their last write time (for expiry sweeps).</summary>
    IEnumerable<(string UploadId, DateTimeOffset LastWriteUtc)> EnumerateUploads();
}
