namespace AtymSecure.Registry.Storage;

/// <summary>
/// A manifest pushed to a repository. The bytes live in the blob store under <see cref="Digest"/>;
/// this record holds what the registry needs without re-parsing them.
/// </summary>
public sealed class ManifestRecord
{
    /// <summary>Key: <c>repository@digest</c>.</summary>
    public string Id { get; set; } = "";
    public string Repository { get; set; } = "";
    public string Digest { get; set; } = "";
    public string MediaType { get; set; } = "";
    public long Size { get; set; }
    /// <summary>Digest of the <c>subject</c> descriptor, when the manifest has one.</summary>
    public string? Subject { get; set; }
    /// <summary>What a referrers listing reports (artifactType, else config media type for image manifests).</summary>
    public string? ArtifactType { get; set; }
    /// <summary>The manifest's annotations as a JSON object (kept as text: annotation keys contain dots).</summary>
    public string? AnnotationsJson { get; set; }
    /// <summary>Blob digests this manifest needs (config and layers).</summary>
    public List<string> Blobs { get; set; } = [];
    /// <summary>Manifest digests an index lists.</summary>
    public List<string> Children { get; set; } = [];
    /// <summary>Unix milliseconds (kept as a number so the database never shifts time zones).</summary>
    public long PushedUnixMs { get; set; }

    public static string Key(string repository, string digest) => repository + "@" + digest;
}

/// <summary>A tag of a repository pointing at a manifest digest.</summary>
public sealed class TagRecord
{
    /// <summary>Key: <c>repository:tag</c>.</summary>
    public string Id { get; set; } = "";
    public string Repository { get; set; } = "";
    public string Tag { get; set; } = "";
    public string Digest { get; set; } = "";

    public static string Key(string repository, string tag) => repository + ":" + tag;
}

/// <summary>A blob made visible in a repository by an upload or a mount.</summary>
public sealed class BlobLinkRecord
{
    /// <summary>Key: <c>repository@digest</c>.</summary>
    public string Id { get; set; } = "";
    public string Repository { get; set; } = "";
    public string Digest { get; set; } = "";
}

/// <summary>
/// An upload session. Its data offset is the length of its temporary file (the only truth that
/// survives a crash); the running hash lives in memory and is rebuilt from the file after a restart.
/// </summary>
public sealed class UploadSessionRecord
{
    public string Id { get; set; } = "";
    public string Repository { get; set; } = "";
    /// <summary>Digest algorithm hashed while streaming (sha256 unless the client asked otherwise).</summary>
    public string Algorithm { get; set; } = "sha256";
    /// <summary>Unix milliseconds.</summary>
    public long CreatedUnixMs { get; set; }
}
