using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Registry.Storage;

/// <summary>
/// Blobs as files under <c>DATA/blobs/&lt;alg&gt;/&lt;first two hex&gt;/&lt;encoded&gt;</c>; uploads as
/// <c>DATA/uploads/&lt;id&gt;</c>. Commit = fsync the temp file, rename it into place, fsync the directory
/// that received it, so a reader (or a restart after kill -9 or power loss) sees either no blob or the whole
/// verified blob, never a part. With <c>fsync: false</c> only the atomic rename remains (safe against process
/// crashes, not power loss).
/// </summary>
public sealed class FileBlobStore : IBlobStore
{
    private const int FileBufferSize = 0; // callers write large buffers themselves
    private readonly string _blobRoot;
    private readonly string _uploadRoot;
    private readonly bool _fsync;

    public FileBlobStore(string dataDirectory, bool fsync = true)
    {
        _blobRoot = Path.Combine(dataDirectory, "blobs");
        _uploadRoot = Path.Combine(dataDirectory, "uploads");
        _fsync = fsync;
        Directory.CreateDirectory(_blobRoot);
        Directory.CreateDirectory(_uploadRoot);
    }

    /// <summary>Path of a blob; only well-formed digests reach here, so no path tricks are possible.</summary>
    public string BlobPath(Digest digest)
    {
        var encoded = digest.Encoded;
        var prefix = encoded.Length >= 2 ? encoded[..2] : "__";
        return Path.Combine(_blobRoot, digest.Algorithm, prefix, encoded);
    }

    private string UploadPath(string uploadId)
    {
        if (!UploadIds.IsWellFormed(uploadId)) throw new ArgumentException($"malformed upload id '{uploadId}'", nameof(uploadId));
        return Path.Combine(_uploadRoot, uploadId);
    }

    public BlobInfo? TryGet(Digest digest)
    {
        var file = new FileInfo(BlobPath(digest));
        return file.Exists ? new BlobInfo(digest, file.Length, file.FullName, file.LastWriteTimeUtc) : null;
    }

    public Stream OpenRead(Digest digest) =>
        new FileStream(BlobPath(digest), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16,
            FileOptions.SequentialScan);

    public async Task PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        var target = BlobPath(digest);
        if (File.Exists(target))
        {
            Touch(digest);
            return;
        }
        var temp = Path.Combine(_uploadRoot, "put-" + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileBufferSize))
            {
                await stream.WriteAsync(content, ct).ConfigureAwait(false);
            }
            AtomicFile.MoveIntoPlace(temp, target, AtomicWriteMode.Overwrite, durable: _fsync);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public async Task<byte[]> ReadAllAsync(Digest digest, CancellationToken ct) =>
        await File.ReadAllBytesAsync(BlobPath(digest), ct).ConfigureAwait(false);

    public bool Delete(Digest digest)
    {
        var path = BlobPath(digest);
        if (!File.Exists(path)) return false;
        File.Delete(path);
        return true;
    }

    public void Touch(Digest digest)
    {
        try
        {
            File.SetLastWriteTimeUtc(BlobPath(digest), DateTime.UtcNow);
        }
        catch (FileNotFoundException)
        {
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    public IEnumerable<BlobInfo> Enumerate()
    {
        foreach (var algorithmDir in Directory.EnumerateDirectories(_blobRoot))
        {
            var algorithm = Path.GetFileName(algorithmDir);
            foreach (var file in Directory.EnumerateFiles(algorithmDir, "*", SearchOption.AllDirectories))
            {
                if (!Digest.TryParse($"{algorithm}:{Path.GetFileName(file)}", out var digest)) continue;
                var info = new FileInfo(file);
                if (info.Exists) yield return new BlobInfo(digest, info.Length, info.FullName, info.LastWriteTimeUtc);
            }
        }
    }

    public void CreateUpload(string uploadId)
    {
        using var _ = new FileStream(UploadPath(uploadId), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
    }

    public long? UploadLength(string uploadId)
    {
        var file = new FileInfo(UploadPath(uploadId));
        return file.Exists ? file.Length : null;
    }

    public Stream OpenUploadForAppend(string uploadId)
    {
        var stream = new FileStream(UploadPath(uploadId), FileMode.Open, FileAccess.Write, FileShare.Read, FileBufferSize);
        stream.Seek(0, SeekOrigin.End);
        return stream;
    }

    public Stream OpenUploadForRead(string uploadId) =>
        new FileStream(UploadPath(uploadId), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 20, FileOptions.SequentialScan);

    public void TruncateUpload(string uploadId, long length)
    {
        using var stream = new FileStream(UploadPath(uploadId), FileMode.Open, FileAccess.Write, FileShare.Read, 1);
        if (stream.Length > length) stream.SetLength(length);
    }

    public void CommitUpload(string uploadId, Digest digest)
    {
        var temp = UploadPath(uploadId);
        var target = BlobPath(digest);
        if (File.Exists(target))
        {
            File.Delete(temp); // identical content already committed (durably) by another session: no fsync needed
            Touch(digest);
            return;
        }
        // Overwriting is harmless: same digest means same bytes.
        AtomicFile.MoveIntoPlace(temp, target, AtomicWriteMode.Overwrite, durable: _fsync);
    }

    public void DeleteUpload(string uploadId)
    {
        var path = UploadPath(uploadId);
        if (File.Exists(path)) File.Delete(path);
    }

    public IEnumerable<(string UploadId, DateTimeOffset LastWriteUtc)> EnumerateUploads()
    {
        foreach (var file in Directory.EnumerateFiles(_uploadRoot))
        {
            var info = new FileInfo(file);
            if (info.Exists && UploadIds.IsWellFormed(info.Name)) yield return (info.Name, info.LastWriteTimeUtc);
        }
    }

    public int DeleteStaleTemporaryFiles(DateTimeOffset cutoff)
    {
        var deleted = 0;
        foreach (var file in Directory.EnumerateFiles(_uploadRoot, "put-*.tmp"))
        {
            var info = new FileInfo(file);
            if (!info.Exists || info.LastWriteTimeUtc >= cutoff.UtcDateTime) continue;
            info.Delete();
            deleted++;
        }
        return deleted;
    }
}
