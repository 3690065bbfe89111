using System.Collections.Concurrent;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Remote;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Oci.Copying;

/// <summary>
/// Copies a manifest graph between any two targets (registry, OCI layout, memory): index →
/// manifests → config and layers, children before parents so a registry never sees a manifest
/// whose blobs are missing. The subject is not followed (it is a weak link upwards); referrers
/// are copied on request. Content the destination already has is skipped.
/// </summary>
public static class Copier
{
    /// <summary>
    /// Resolves <paramref name="sourceReference"/> in the source, copies its graph and tags it
    /// <paramref name="destinationReference"/> in the destination. Null destination reference means
    /// "the same tag" when the source reference is a tag, none when it is a digest; "" means no tag.
    /// </summary>
    /// <returns>the root manifest's descriptor</returns>
    public static async Task<Descriptor> CopyAsync(this IReadOnlyTarget source, string sourceReference, ITarget destination,
        string? destinationReference = null, CopyOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentException.ThrowIfNullOrEmpty(sourceReference);
        options ??= new CopyOptions();
        var root = await source.ResolveAsync(sourceReference, cancellationToken).ConfigureAwait(false);
        await CopyGraphAsync(source, destination, root, options, cancellationToken).ConfigureAwait(false);
        var tag = destinationReference ?? (Reference.IsValidTag(sourceReference) ? sourceReference : null);
        if (!string.IsNullOrEmpty(tag)) await destination.TagAsync(root, tag, cancellationToken).ConfigureAwait(false);
        return root;
    }

    /// <summary>Copies everything reachable from <paramref name="root"/> (and its referrers if asked).</summary>
    public static async Task CopyGraphAsync(IReadOnlyStorage source, IStorage destination, Descriptor root, CopyOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(root);
        options ??= new CopyOptions();
        if (options.Concurrency < 1) throw new ArgumentException("Concurrency must be at least 1", nameof(options));
        using var run = new GraphCopy(source, destination, options, cancellationToken);
        await run.CopyAsync(root).ConfigureAwait(false);
        if (!options.IncludeReferrers || source is not IReferrerLister lister) return;
        var pending = new Queue<Descriptor>([root]);
        var visited = new HashSet<Digest> { root.Digest };
        while (pending.Count > 0)
        {
            var subject = pending.Dequeue();
            var referrers = new List<Descriptor>();
            await foreach (var r in lister.ListReferrersAsync(subject, null, cancellationToken).ConfigureAwait(false))
                if (visited.Add(r.Digest)) referrers.Add(r);
            foreach (var r in referrers)
            {
                if (options.ReferrersArtifactType is null || r.ArtifactType == options.ReferrersArtifactType)
                    await run.CopyAsync(r).ConfigureAwait(false);
                pending.Enqueue(r);
            }
        }
    }

    /// <summary>One copy run: de-duplicates shared nodes and bounds concurrent transfers.</summary>
    private sealed class GraphCopy(IReadOnlyStorage source, IStorage destination, CopyOptions options, CancellationToken ct) : IDisposable
    {
        private readonly SemaphoreSlim _slots = new(options.Concurrency, options.Concurrency);
        private readonly ConcurrentDictionary<Digest, Lazy<Task>> _nodes = new();

        public Task CopyAsync(Descriptor d) =>
            _nodes.GetOrAdd(d.Digest, _ => new Lazy<Task>(() => CopyNodeAsync(d), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

        private async Task CopyNodeAsync(Descriptor d)
        {
            // Plain descriptor: annotations/artifactType from a listing must not change what stores record.
            var plain = new Descriptor { MediaType = d.MediaType, Digest = d.Digest, Size = d.Size };
            if (await destination.ExistsAsync(plain, ct).ConfigureAwait(false))
            {
                options.OnSkipped?.Invoke(d);
                return;
            }
            if (!ManifestNode.IsManifest(plain))
            {
                await TransferBlobAsync(d, plain).ConfigureAwait(false);
                return;
            }
            byte[] bytes;
            await _slots.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                bytes = await source.FetchAllAsync(plain, OciJson.MaxManifestBytes, ct).ConfigureAwait(false);
            }
            finally
            {
                _slots.Release();
            }
            var node = ManifestNode.Parse(plain, bytes);
            await Task.WhenAll(node.Children.Select(CopyAsync)).ConfigureAwait(false);
            await _slots.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                options.OnStarted?.Invoke(d);
                using var content = new MemoryStream(bytes, writable: false);
                await PushAsync(plain, content).ConfigureAwait(false);
                options.OnProgress?.Invoke(d, bytes.Length);
                options.OnCopied?.Invoke(d);
            }
            finally
            {
                _slots.Release();
            }
        }

        private async Task TransferBlobAsync(Descriptor d, Descriptor plain)
        {
            await _slots.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                options.OnStarted?.Invoke(d);
                if (options.Mount != false && source is Repository from && destination is Repository to
                    && from.Registry == to.Registry && from.Name != to.Name)
                {
                    await to.MountAsync(plain, from.Name, async c => Track(d, await source.FetchAsync(plain, c).ConfigureAwait(false)), ct)
                        .ConfigureAwait(false);
                    options.OnMounted?.Invoke(d);
                    options.OnCopied?.Invoke(d);
                    return;
                }
                var content = await source.FetchAsync(plain, ct).ConfigureAwait(false);
                await using (content.ConfigureAwait(false))
                {
                    await PushAsync(plain, Track(d, content)).ConfigureAwait(false);
                }
                options.OnCopied?.Invoke(d);
            }
            finally
            {
                _slots.Release();
            }
        }

        private async Task PushAsync(Descriptor plain, Stream content)
        {
            try
            {
                await destination.PushAsync(plain, content, ct).ConfigureAwait(false);
            }
            catch (AlreadyExistsException)
            {
                // Another writer got there first; content-addressed, so it is the same bytes.
            }
        }

        private Stream Track(Descriptor d, Stream s) =>
            options.OnProgress is null ? s : new ProgressStream(s, n => options.OnProgress(d, n));

        public void Dispose() => _slots.Dispose();
    }
}
