using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;

namespace AtymSecure.Formats.UpdateMetadata.Verification;

/// <summary>
/// Fetches and parses one metadata file under its cap, and checks the steps every role shares (threshold, listing,
/// expiry), turning each failure into a <see cref="MetadataRefusedException"/> that names the role, file and step.
/// </summary>
internal sealed class MetadataFetch(IMetadataSource source, string repository, int step)
{
    public int Step { get; } = step;

    /// <summary>The file, or null when the source has none (only the root walk may stop there).</summary>
    public byte[]? TryFetch(string role, string file, long maxBytes)
    {
        byte[]? bytes;
        try
        {
            bytes = source.Fetch(file, maxBytes);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or TimeoutException)
        {
            throw Refuse(ReasonCodes.DownloadFailed, role, file, "$", $"{repository}: {e.Message}");
        }
        if (bytes is not null && bytes.Length > maxBytes)
            throw Refuse(ReasonCodes.MetadataTooLarge, role, file, "$", $"more than {maxBytes} bytes");
        return bytes;
    }

    public byte[] Fetch(string role, string file, long maxBytes) =>
        TryFetch(role, file, maxBytes) ?? throw Refuse(ReasonCodes.MetadataMissing, role, file, "$", $"{repository} has no {file}");

    public SignedMetadata<T> Parse<T>(string role, string file, ReadOnlySpan<byte> bytes)
        where T : RoleMetadata, IRoleMetadata<T>
    {
        try
        {
            return SignedMetadata<T>.Parse(bytes);
        }
        catch (MetadataRefusedException e)
        {
            throw e.In(role, file, Step);
        }
    }

    /// <summary>Bytes fetched under a listing (timestamp → snapshot, snapshot → targets): capped by the listed length and checked against its hashes.</summary>
    public byte[] FetchListed(string role, string file, MetaFile listing, long cap)
    {
        var bytes = Fetch(role, file, Math.Min(listing.Length ?? cap, cap));
        if (listing.Length is { } length && bytes.Length != length)
            throw Refuse(ReasonCodes.SnapshotMismatch, role, file, "$", $"{bytes.Length} bytes, listed as {length}");
        if (listing.Hashes is { } hashes && !FileHashes.Match(hashes, bytes))
            throw Refuse(ReasonCodes.SnapshotMismatch, role, file, "$", "bytes do not match the listed hashes");
        return bytes;
    }

    public void RequireThreshold<T>(SignedMetadata<T> metadata, IReadOnlyDictionary<string, TufKey> keys, RoleKeys? role, string roleName, string file)
        where T : RoleMetadata, IRoleMetadata<T>
    {
        if (role is null) throw Refuse(ReasonCodes.MetadataMalformed, roleName, file, "$.signed.roles", $"the trusted root defines no role '{roleName}'");
        try
        {
            ThresholdCheck.Require(metadata, keys, role, roleName);
        }
        catch (MetadataRefusedException e)
        {
            throw e.In(roleName, file, Step);
        }
    }

    public void RequireListedVersion<T>(SignedMetadata<T> metadata, MetaFile listing, string role, string file)
        where T : RoleMetadata, IRoleMetadata<T>
    {
        if (metadata.Signed.Version != listing.Version)
            throw Refuse(ReasonCodes.SnapshotMismatch, role, file, "$.signed.version", $"version {metadata.Signed.Version}, listed as {listing.Version}");
    }

    public void RequireNotExpired(RoleMetadata metadata, string role, string file, DateTimeOffset now, TimeSpan skew)
    {
        if (metadata.IsExpired(now, skew))
            throw Refuse(ReasonCodes.MetadataExpired, role, file, "$.signed.expires",
                $"expired {RoleMetadata.FormatTime(metadata.Expires)}, device time {RoleMetadata.FormatTime(now)} (skew {skew.TotalMinutes:0} min)");
    }

    public MetadataRefusedException Refuse(string code, string? role, string? file, string path, string detail) =>
        new(new MetadataRefusal(code, path, detail, role, file, Step));
}
