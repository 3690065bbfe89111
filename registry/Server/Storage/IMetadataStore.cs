namespace AtymSecure.Registry.Storage;

/// <summary>
/// Repositories, tags, manifests (with their referrer facts), blob links and upload sessions.
/// Every method is thread-safe and each write is atomic and durable when it returns; the LiteDB
/// implementation is the embedded default, a server database could implement the same contract.
/// </summary>
public interface IMetadataStore : IDisposable
{
    bool RepositoryExists(string repository);

    bool HasBlobLink(string repository, string digest);
    void AddBlobLink(string repository, string digest);
    bool RemoveBlobLink(string repository, string digest);
    /// <summary>Repositories that hold a link to the blob (for mounts without <c>from</c>).</summary>
    IReadOnlyList<string> RepositoriesWithBlob(string digest);
    /// <summary>Drops every link to a blob that no longer exists (after garbage collection).</summary>
    void RemoveAllBlobLinks(string digest);

    ManifestRecord? GetManifest(string repository, string digest);
    string? ResolveTag(string repository, string tag);
    /// <summary>Stores the manifest and points every tag in <paramref name="tags"/> at it, in one transaction.</summary>
    void PutManifest(ManifestRecord manifest, IReadOnlyCollection<string> tags);
    /// <summary>Removes the manifest and every tag pointing at it; false when it was not there.</summary>
    bool DeleteManifest(string repository, string digest);
    bool DeleteTag(string repository, string tag);
    /// <summary>Tags in ordinal order strictly after <paramref name="last"/>, at most <paramref name="limit"/> + 1 (to know if more exist).</summary>
    IReadOnlyList<string> ListTags(string repository, string? last, int limit);
    /// <summary>Manifests of the repository whose subject is <paramref name="subject"/>, ordered by digest.</summary>
    IReadOnlyList<ManifestRecord> ListReferrers(string repository, string subject);
    /// <summary>Every manifest of every repository (for garbage collection).</summary>
    IEnumerable<ManifestRecord> AllManifests();

    void AddUpload(UploadSessionRecord upload);
    UploadSessionRecord? GetUpload(string id);
    void RemoveUpload(string id);
    IReadOnlyList<UploadSessionRecord> ListUploads();
}
