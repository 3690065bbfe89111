using AtymSecure.Primitives;

namespace AtymSecure.Registry.Storage;

/// <summary>
/// The object layout of <see cref="S3BlobStore"/> (under the location's prefix):
/// <list type="bullet">
/// <item><c>blobs/&lt;alg&gt;/&lt;first two hex&gt;/&lt;encoded&gt;</c> — a committed blob, the same path as
/// <see cref="FileBlobStore"/> on disk; only ever written whole (one PUT or one CompleteMultipartUpload after the digest
/// was checked).</item>
/// <item><c>touched/&lt;alg&gt;/&lt;first two hex&gt;/&lt;encoded&gt;</c> — an empty marker whose time is the blob's last reuse
/// (S3 cannot change an object's time without copying it), for garbage collection's grace period.</item>
/// <item><c>uploads/&lt;id&gt;/session</c> — an empty marker: the upload session exists.</item>
/// <item><c>uploads/&lt;id&gt;/chunks/&lt;offset, 15 digits&gt;</c> — the session's bytes from that offset, in key order = byte order.</item>
/// </list>
/// Only well-formed digests and upload ids reach here (<see cref="UploadIds"/>), so no key can be steered by a client.
/// </summary>
internal static class S3BlobKeys
{
    public const string BlobsPrefix = "blobs/";
    public const string TouchedPrefix = "touched/";
    public const string UploadsPrefix = "uploads/";
    private const string SessionName = "session";
    private const string ChunksFolder = "chunks/";
    private const int OffsetDigits = 15;

    public static string Blob(Digest digest) => BlobsPrefix + Relative(digest);

    public static string Touched(Digest digest) => TouchedPrefix + Relative(digest);

    private static string Relative(Digest digest)
    {
        var encoded = digest.Encoded;
        return $"{digest.Algorithm}/{(encoded.Length >= 2 ? encoded[..2] : "__")}/{encoded}";
    }

    /// <summary>The digest a <c>blobs/</c> or <c>touched/</c> key names, or false for a key that is not one.</summary>
    public static bool TryParse(string key, string prefix, out Digest digest)
    {
        digest = default;
        if (!key.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var parts = key[prefix.Length..].Split('/');
        return parts.Length == 3 && Digest.TryParse($"{parts[0]}:{parts[2]}", out digest) && Blob(digest) == BlobsPrefix + key[prefix.Length..];
    }

    public static string UploadFolder(string uploadId) => UploadsPrefix + Checked(uploadId) + "/";

    public static string Session(string uploadId) => UploadFolder(uploadId) + SessionName;

    public static string ChunksOf(string uploadId) => UploadFolder(uploadId) + ChunksFolder;

    public static string Chunk(string uploadId, long offset) =>
        ChunksOf(uploadId) + offset.ToString("D" + OffsetDigits, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Splits a key under <c>uploads/</c> into its upload id and the rest (<c>session</c>, <c>chunks/…</c>).</summary>
    public static bool TryParseUpload(string key, out string uploadId, out string rest)
    {
        uploadId = rest = "";
        if (!key.StartsWith(UploadsPrefix, StringComparison.Ordinal)) return false;
        var slash = key.IndexOf('/', UploadsPrefix.Length);
        if (slash < 0) return false;
        uploadId = key[UploadsPrefix.Length..slash];
        rest = key[(slash + 1)..];
        return UploadIds.IsWellFormed(uploadId);
    }

    public static bool IsSession(string rest) => rest == SessionName;

    /// <summary>The offset a chunk's key carries (<c>chunks/000000000001024</c> → 1024).</summary>
    public static bool TryParseChunk(string rest, out long offset)
    {
        offset = 0;
        return rest.StartsWith(ChunksFolder, StringComparison.Ordinal) && rest.Length == ChunksFolder.Length + OffsetDigits
            && long.TryParse(rest.AsSpan(ChunksFolder.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out offset);
    }

    private static string Checked(string uploadId) =>
        UploadIds.IsWellFormed(uploadId) ? uploadId : throw new ArgumentException($"malformed upload id '{uploadId}'", nameof(uploadId));
}
