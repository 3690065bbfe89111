using AtymSecure.Oci.Wire;

namespace AtymSecure.Oci.Content;

/// <summary>Conveniences over the capability interfaces.</summary>
public static class ContentExtensions
{
    /// <summary>Reads the whole content (verified) into memory; refuses descriptors above <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]> FetchAllAsync(this IFetcher fetcher, Descriptor target, long maxBytes = OciJson.MaxManifestBytes,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fetcher);
        ArgumentNullException.ThrowIfNull(target);
        if (target.Size > maxBytes)
            throw new SizeMismatchException($"{target.Digest}: {target.Size} bytes exceeds the in-memory limit of {maxBytes}");
        var stream = await fetcher.FetchAsync(target, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await ReadVerifiedAsync(stream, target, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Pushes bytes as a blob of <paramref name="mediaType"/> and returns its descriptor.</summary>
    public static async Task<Descriptor> PushBytesAsync(this IPusher pusher, string mediaType, ReadOnlyMemory<byte> content,
        IReadOnlyDictionary<string, string>? annotations = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pusher);
        var descriptor = Descriptor.FromBytes(mediaType, content.Span, annotations);
        using var stream = new MemoryStream(content.ToArray(), writable: false);
        await pusher.PushAsync(descriptor, stream, cancellationToken).ConfigureAwait(false);
        return descriptor;
    }

    /// <summary>Pushes unless the storage already has it (an <see cref="AlreadyExistsException"/> race counts as success).</summary>
    public static async Task<bool> PushIfMissingAsync(this IStorage storage, Descriptor expected, Func<Stream> open,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(open);
        if (await storage.ExistsAsync(expected, cancellationToken).ConfigureAwait(false)) return false;
        try
        {
            using var stream = open();
            await storage.PushAsync(expected, stream, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AlreadyExistsException)
        {
            return false;
        }
    }

    /// <summary>The children of a manifest or index (config and layers, or manifests); none for blobs. The subject is not a child.</summary>
    public static async Task<ManifestNode> FetchNodeAsync(this IFetcher fetcher, Descriptor target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!ManifestNode.IsManifest(target)) return new ManifestNode(target, [], null, null, null);
        var bytes = await fetcher.FetchAllAsync(target, OciJson.MaxManifestBytes, cancellationToken).ConfigureAwait(false);
        return ManifestNode.Parse(target, bytes);
    }

    /// <summary>Reads a stream fully, verifying it against the descriptor even if the stream itself does not.</summary>
    internal static async Task<byte[]> ReadVerifiedAsync(Stream stream, Descriptor target, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream(target.Size <= int.MaxValue ? (int)Math.Max(0, target.Size) : 0);
        var source = new VerifyingStream(stream, target, leaveOpen: true);
        await using (source.ConfigureAwait(false))
        {
            await source.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        return buffer.ToArray();
    }
}
