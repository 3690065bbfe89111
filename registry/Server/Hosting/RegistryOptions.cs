using System.Text.Json;
using System.Text.Json.Serialization;
using AtymSecure.Primitives;

namespace AtymSecure.Registry.Hosting;

/// <summary>
/// Everything the registry needs to run. Immutable; <see cref="Validate"/> reports every problem at once.
/// Loadable from a JSON or YAML file with the same (camelCase) property names via <see cref="RegistryOptionsFile"/>.
/// </summary>
public sealed record RegistryOptions
{
    /// <summary>Root folder of blobs, uploads, the metadata database and the token signing key.</summary>
    public string DataDirectory { get; init; } = "registry-data";

    /// <summary>
    /// Where the metadata (repositories, tags, manifests, blob links, upload sessions) lives: null = the embedded LiteDB
    /// database in <see cref="DataDirectory"/> (one process); a <c>postgres://user@host:port/database</c> URL = PostgreSQL,
    /// which several registry processes may share (with one shared blob folder). The password is best left out of the URL
    /// (<c>PGPASSWORD</c> or a pgpass file). Blobs and upload data stay in <see cref="DataDirectory"/> either way.
    /// </summary>
    public string? Store { get; init; }

    /// <summary>Where to listen: <c>http://127.0.0.1:5000</c> or just <c>127.0.0.1:5000</c>.</summary>
    public string ListenUrl { get; init; } = "http://127.0.0.1:5000";

    /// <summary>An upload session with no activity for this long is cancelled and its data removed.</summary>
    public TimeSpan UploadExpiry { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How often expired upload sessions are swept.</summary>
    public TimeSpan UploadSweepInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Advertised as <c>OCI-Chunk-Min-Length</c> when above zero.</summary>
    public long ChunkMinLength { get; init; }

    /// <summary>Largest page of a tag list (a larger <c>n</c> is cut to this and continued via Link).</summary>
    public int TagsPageLimit { get; init; } = 1000;

    /// <summary>Largest page of a referrers listing (continued via Link).</summary>
    public int ReferrersPageSize { get; init; } = 1000;

    /// <summary>A mount without <c>from</c> looks for the blob in the other repositories the caller may pull.</summary>
    public bool AutomaticCrossMount { get; init; } = true;

    /// <summary>Allow DELETE of manifests, tags and blobs (otherwise 405 UNSUPPORTED).</summary>
    public bool EnableDelete { get; init; } = true;

    /// <summary>fsync blobs before they become visible (durable across power loss, not only process crashes).</summary>
    public bool Fsync { get; init; } = true;

    /// <summary>Bytes of manifest content kept in memory for fast GETs.</summary>
    public long ManifestCacheBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Auth configuration file (JSON or YAML, see registry/Server/README.md, "Auth"); null = no auth.</summary>
    public string? AuthConfigPath { get; init; }

    /// <summary>
    /// Policy folder (issue 15, policies/README.md) whose trust policy protects repositories: a tag may only move to a
    /// manifest the trust rule covering the repository accepts (registry/Server/README.md, "Protected repositories").
    /// Null = no repository is protected. Enforced by the policy guard of registry/Policy, which the host must add.
    /// </summary>
    public string? PolicyDirectory { get; init; }

    /// <summary>Folder of the public keys (<c>*.pub</c>) the trust policy names by fingerprint; defaults to <c>POLICIES/keys</c>.</summary>
    public string? PolicyKeysDirectory { get; init; }

    /// <summary>
    /// The <c>host[:port]</c> the trust policy's scopes call this registry (<c>registry.example.com/samples/*</c>);
    /// defaults to the host and port of <see cref="ListenUrl"/>.
    /// </summary>
    public string? RegistryName { get; init; }

    /// <summary>
    /// Where blobs live: null = files under <see cref="DataDirectory"/> (the default); an
    /// <c>s3://BUCKET[/PREFIX]?endpoint=…&amp;region=…&amp;path-style=true</c> URL = an S3-compatible object store
    /// (objectstore/ObjectStoreLocation.cs), shared by every replica. Credentials in the URL's user info or in
    /// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; never printed (<see cref="PrintMembers"/>).
    /// </summary>
    public string? Blobs { get; init; }

    /// <summary>Answer blob GETs with <c>307</c> to a presigned object store URL (as distribution does) instead of
    /// streaming the bytes through the registry. Needs <see cref="Blobs"/>; off by default.</summary>
    public bool RedirectBlobDownloads { get; init; }

    /// <summary>How long a redirect's presigned URL works (distribution uses 20 minutes).</summary>
    public TimeSpan BlobRedirectExpiry { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>Every problem (empty when the options are usable), each with the option as its path and a <see cref="RegistryOptionProblemCodes"/> code.</summary>
    public IReadOnlyList<Problem> Validate()
    {
        var errors = new List<Problem>();
        void Add(string code, string path, string message) => errors.Add(new Problem(code, path, message));
        if (string.IsNullOrWhiteSpace(DataDirectory)) Add(RegistryOptionProblemCodes.Required, "dataDirectory", "required");
        else if (DataDirectory.IndexOfAny(Path.GetInvalidPathChars()) >= 0) Add(RegistryOptionProblemCodes.InvalidPath, "dataDirectory", $"'{DataDirectory}' is not a valid path");
        if (Store is not null)
        {
            try
            {
                AtymSecure.Postgres.PostgresConnectionUrl.ToConnectionString(Store);
            }
            catch (FormatException e)
            {
                Add(RegistryOptionProblemCodes.InvalidStore, "store", e.Message + " (leave it out for the embedded LiteDB store)");
            }
        }
        if (NormalizedListenUrl() is null)
            Add(RegistryOptionProblemCodes.InvalidListenUrl, "listenUrl", $"'{ListenUrl}' is not host:port or an http(s) URL with a port");
        if (UploadExpiry <= TimeSpan.Zero) Add(RegistryOptionProblemCodes.OutOfRange, "uploadExpiry", "must be positive");
        if (UploadSweepInterval <= TimeSpan.Zero) Add(RegistryOptionProblemCodes.OutOfRange, "uploadSweepInterval", "must be positive");
        if (ChunkMinLength < 0) Add(RegistryOptionProblemCodes.OutOfRange, "chunkMinLength", "must not be negative");
        if (TagsPageLimit < 1) Add(RegistryOptionProblemCodes.OutOfRange, "tagsPageLimit", "must be at least 1");
        if (ReferrersPageSize < 1) Add(RegistryOptionProblemCodes.OutOfRange, "referrersPageSize", "must be at least 1");
        if (Blobs is not null && !ObjectStore.ObjectStoreLocation.TryParse(Blobs, out _, out _, out var blobsError))
            Add(RegistryOptionProblemCodes.InvalidBlobLocation, "blobs", blobsError);
        if (RedirectBlobDownloads && Blobs is null)
            Add(RegistryOptionProblemCodes.Required, "blobs", "redirectBlobDownloads needs blobs in an object store (an s3:// URL)");
        if (BlobRedirectExpiry < TimeSpan.FromSeconds(1) || BlobRedirectExpiry > TimeSpan.FromDays(7))
            Add(RegistryOptionProblemCodes.OutOfRange, "blobRedirectExpiry", "must be between 1 second and 7 days (the presigned URL limit)");
        if (ManifestCacheBytes < 0) Add(RegistryOptionProblemCodes.OutOfRange, "manifestCacheBytes", "must not be negative");
        if (AuthConfigPath is not null && !File.Exists(AuthConfigPath))
            Add(RegistryOptionProblemCodes.FileNotFound, "authConfigPath", $"file '{AuthConfigPath}' does not exist");
        if (PolicyDirectory is not null && !Directory.Exists(PolicyDirectory))
            Add(RegistryOptionProblemCodes.FileNotFound, "policyDirectory", $"folder '{PolicyDirectory}' does not exist");
        if (PolicyKeysDirectory is not null && PolicyDirectory is null)
            Add(RegistryOptionProblemCodes.Required, "policyDirectory", "policyKeysDirectory is set, so policyDirectory is needed too");
        if (PolicyKeysDirectory is not null && !Directory.Exists(PolicyKeysDirectory))
            Add(RegistryOptionProblemCodes.FileNotFound, "policyKeysDirectory", $"folder '{PolicyKeysDirectory}' does not exist");
        // The host part of a trust-policy scope (policies/Model/RepositoryScope).
        if (RegistryName is not null && !System.Text.RegularExpressions.Regex.IsMatch(RegistryName, "^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$"))
            Add(RegistryOptionProblemCodes.InvalidRegistryName, "registryName", $"'{RegistryName}' is not host or host:port (lower case)");
        return errors;
    }

    /// <summary>The generated record printing, with the user info of every URL-valued option cut out (an <c>s3://</c> or
    /// <c>postgres://</c> URL may carry a secret; options get logged).</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        var first = true;
        foreach (var property in typeof(RegistryOptions).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
        {
            if (!first) builder.Append(", ");
            first = false;
            var value = property.GetValue(this);
            builder.Append(property.Name).Append(" = ").Append(value is string text ? WithoutUserInfo(text) : value);
        }
        return true;
    }

    /// <summary><paramref name="text"/> with any <c>scheme://user:secret@</c> user info replaced by <c>***@</c>.</summary>
    public static string WithoutUserInfo(string text)
    {
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0) return text;
        var start = scheme + 3;
        var end = text.IndexOfAny(['/', '?', '#'], start);
        var at = text.LastIndexOf('@', end < 0 ? text.Length - 1 : end - 1);
        return at < start ? text : text[..start] + "***" + text[at..];
    }

    /// <summary><see cref="RegistryName"/>, else the listen address's <c>host:port</c>: how trust-policy scopes name this registry.</summary>
    public string EffectiveRegistryName() =>
        RegistryName ?? (NormalizedListenUrl() is { } url ? new Uri(url).Authority : ListenUrl);

    /// <summary>Throws <see cref="InvalidOptionsException"/> ("invalid registry options") listing every problem.</summary>
    public RegistryOptions EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0) throw new InvalidOptionsException("registry", errors);
        return this;
    }

    /// <summary><see cref="ListenUrl"/> with a scheme (<c>http://</c> assumed), or null when unusable.</summary>
    public string? NormalizedListenUrl()
    {
        if (string.IsNullOrWhiteSpace(ListenUrl)) return null;
        var text = ListenUrl.Contains("://", StringComparison.Ordinal) ? ListenUrl : "http://" + ListenUrl;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)) return null;
        if (uri.Scheme is not ("http" or "https") || uri.IsDefaultPort && !text.Contains(":" + uri.Port, StringComparison.Ordinal)) return null;
        if (uri.AbsolutePath != "/") return null;
        return text.TrimEnd('/');
    }
}
