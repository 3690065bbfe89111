using System.Runtime.CompilerServices;
using System.Text.Json;
using AtymSecure.Oci;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Registry.Storage;

/// <summary>
/// One repository as the registry stores it, read through the OCI client's capability interfaces, so the signer's
/// verifier (written for remote repositories) reads the signatures and attestations a push is judged by straight from
/// storage. <paramref name="pending"/> is a manifest being pushed and not stored yet: it resolves and fetches by its
/// digest as if it were (the referrers about it may already be stored: referrers before subject are allowed).
/// Only what the repository links is visible, as over HTTP; every fetch is checked against its descriptor.
/// </summary>
public sealed class RepositoryContentView(string repository, IMetadataStore metadata, IBlobStore blobs, RepositoryContentView.PendingManifest? pending = null)
    : IReadOnlyTarget, IReferrerLister
{
    /// <summary>A manifest under judgement: its digest, media type and bytes.</summary>
    public sealed record PendingManifest(Digest Digest, string MediaType, ReadOnlyMemory<byte> Content);

    public string Repository { get; } = repository;

    public Task<Descriptor> ResolveAsync(string reference, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        if (pending is not null && reference == pending.Digest.ToString())
            return Task.FromResult(new Descriptor { MediaType = pending.MediaType, Digest = pending.Digest, Size = pending.Content.Length });
        var digest = reference.Contains(':', StringComparison.Ordinal) ? reference : metadata.ResolveTag(Repository, reference);
        var record = digest is null ? null : metadata.GetManifest(Repository, digest);
        return record is null
            ? throw new NotFoundException($"manifest '{reference}' is not in repository '{Repository}'")
            : Task.FromResult(DescriptorOf(record));
    }

    public Task<Stream> FetchAsync(Descriptor target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        Stream inner;
        if (pending is not null && target.Digest == pending.Digest) inner = new MemoryStream(pending.Content.ToArray(), writable: false);
        else if (IsVisible(target.Digest) && blobs.TryGet(target.Digest) is not null) inner = blobs.OpenRead(target.Digest);
        else throw new NotFoundException($"{target.Digest} is not in repository '{Repository}'");
        return Task.FromResult<Stream>(new VerifyingStream(inner, target, $"{target.Digest} in {Repository}"));
    }

    public Task<bool> ExistsAsync(Descriptor target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Task.FromResult(pending?.Digest == target.Digest || IsVisible(target.Digest) && blobs.TryGet(target.Digest) is not null);
    }

#pragma warning disable CS1998 // an async iterator over a synchronous store
    public async IAsyncEnumerable<Descriptor> ListReferrersAsync(Descriptor subject, string? artifactType = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
#pragma warning restore CS1998
    {
        ArgumentNullException.ThrowIfNull(subject);
        foreach (var record in metadata.ListReferrers(Repository, subject.Digest.ToString()))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (artifactType is null || record.ArtifactType == artifactType) yield return DescriptorOf(record);
        }
    }

    private bool IsVisible(Digest digest) =>
        metadata.GetManifest(Repository, digest.ToString()) is not null || metadata.HasBlobLink(Repository, digest.ToString());

    private static Descriptor DescriptorOf(ManifestRecord record) => new()
    {
        MediaType = record.MediaType,
        Digest = Digest.Parse(record.Digest),
        Size = record.Size,
        ArtifactType = record.ArtifactType,
        Annotations = record.AnnotationsJson is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(record.AnnotationsJson),
    };
}
