using System.Security.Cryptography;
using AtymSecure.Formats.Bundle;
using AtymSecure.Signer.Keys;

namespace AtymSecure.Delivery.Bundles;

/// <summary>
/// Writes a signed bundle (docs/bundle-format.md): builds the header from the target and the
/// payload, signs it with every key, and writes the file atomically (temp file + rename).
/// </summary>
public static class BundleWriter
{
    public static BundleHeader CreateHeader(BundleTarget target, BundlePayload payload)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(payload);
        var header = new BundleHeader
        {
            ContainerName = target.ContainerName,
            ContainerVersion = target.ContainerVersion,
            SecurityCounter = target.SecurityCounter,
            DeviceClass = target.DeviceClass,
            TargetTriple = target.TargetTriple,
            ArtifactKind = target.ArtifactKind,
            ImageFormat = target.ImageFormat,
            TargetDigest = SHA256.HashData(target.TargetImage.Span),
            TargetSize = (ulong)target.TargetImage.Length,
            PayloadKind = payload.Kind,
            Codec = payload.Codec,
            BaseDigest = payload.BaseDigest,
            BaseSize = payload.BaseSize,
            PayloadLength = (ulong)payload.Bytes.Length,
            ChunkSize = target.ChunkSize,
            ChunkHashes = BundleFrame.HashChunks(payload.Bytes.Span, target.ChunkSize),
            ExpiresUnixSeconds = (ulong)target.Expires.ToUnixTimeSeconds(),
            CreatedUnixSeconds = target.Created is { } c ? (ulong)c.ToUnixTimeSeconds() : null,
            ProvenanceDigest = target.ProvenanceDigest,
            SourceManifestDigest = target.SourceManifestDigest,
        };
        var errors = header.Validate();
        if (errors.Count > 0) throw new BundleFormatException(errors);
        return header;
    }

    public static async Task<BundleHeader> WriteAsync(Stream output, BundleTarget target, BundlePayload payload,
        IReadOnlyList<ISigningKey> keys, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0) throw new ArgumentException("a bundle needs at least one signing key", nameof(keys));
        var header = CreateHeader(target, payload);
        var input = BundleFrame.SignatureInput(header);
        var signatures = new List<BundleSignature>(keys.Count);
        foreach (var key in keys)
            signatures.Add(new BundleSignature(key.Algorithm, key.KeyId, await key.SignAsync(input, ct).ConfigureAwait(false)));
        await BundleFrame.WriteAsync(output, header, signatures, payload.Bytes, ct).ConfigureAwait(false);
        return header;
    }

    /// <summary>Writes to <paramref name="path"/> through a temp file in the same folder, flushed, then renamed.</summary>
    public static async Task<BundleHeader> WriteFileAsync(string path, BundleTarget target, BundlePayload payload,
        IReadOnlyList<ISigningKey> keys, CancellationToken ct = default)
    {
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            BundleHeader header;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                header = await WriteAsync(file, target, payload, keys, ct).ConfigureAwait(false);
                await file.FlushAsync(ct).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
            return header;
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
