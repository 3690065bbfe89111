namespace AtymSecure.Registry.Storage;

/// <summary>
/// Repositories, tags, manifests (with their referrer facts), blob links and upload sessions.
/// Every method is thread-safe and each write is atomic and durable when it returns. Two implementations, held to one
/// contract test suite (tests/AtymSecure.Registry.Tests/Storage/Contract): <see cref="LiteDbMetadataStore"/>, the embedded
/// default (one process per data folder), and <see cref="Postgres.PostgresMetadataStore"/> for several registry processes on
/// one database. Names, tags and digests are the ASCII the HTTP layer has validated; every order is ordinal.
/// </summary>
public interface IMetadataStore : IDisposable
{
    bool RepositoryExists(string repository);

    bool HasBlobLink(string repository, string digest);
    void AddBlobLink(string repository, string digest);
    bool RemoveBlobLink(string repository, string digest);
    /// <summary>Repositories that hold a link to the blob (for mounts without <c>from</c>), in ordinal order.</summary>
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
    /// <summary>Tags in ordinal order strictly after <paramref name="last"/>, at most <paramref name="limit"/> + 1 (to know if more exist).
    /// A negative limit is an <see cref="ArgumentOutOfRangeException"/>.</summary>
    IReadOnlyList<string> ListTags(string repository, string? last, int limit);
    /// <summary>Manifests of the repository whose subject is <paramref name="subject"/>, ordered by digest.</summary>
    IReadOnlyList<ManifestRecord> ListReferrers(string repository, string subject);
    /// <summary>Every manifest of every repository (for garbage collection), ordered by <c>repository@digest</c>.</summary>
    IEnumerable<ManifestRecord> AllManifests();

    /// <summary>Records a new session; <see cref="UploadIdTakenException"/> when its id exists (the first is kept).</summary>
    void AddUpload(UploadSessionRecord upload);
    UploadSessionRecord? GetUpload(string id);
    void RemoveUpload(string id);
    /// <summary>Every session, ordered by id.</summary>
    IReadOnlyList<UploadSessionRecord> ListUploads();
}
