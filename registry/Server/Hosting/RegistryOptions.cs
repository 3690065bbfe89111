using System.Text.Json;
using System.Text.Json.Serialization;

namespace AtymSecure.Registry.Hosting;

/// <summary>
/// Everything the registry needs to run. Immutable; <see cref="Validate"/> reports every problem at once.
/// Loadable from a JSON or YAML file with the same (camelCase) property names via <see cref="RegistryOptionsFile"/>.
/// </summary>
public sealed record RegistryOptions
{
    /// <summary>Root folder of blobs, uploads, the metadata database and the token signing key.</summary>
    public string DataDirectory { get; init; } = "registry-data";

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

    /// <summary>Every problem, each prefixed with the option name; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(DataDirectory)) errors.Add("dataDirectory: required");
        else if (DataDirectory.IndexOfAny(Path.GetInvalidPathChars()) >= 0) errors.Add($"dataDirectory: '{DataDirectory}' is not a valid path");
        if (NormalizedListenUrl() is null)
            errors.Add($"listenUrl: '{ListenUrl}' is not host:port or an http(s) URL with a port");
        if (UploadExpiry <= TimeSpan.Zero) errors.Add("uploadExpiry: must be positive");
        if (UploadSweepInterval <= TimeSpan.Zero) errors.Add("uploadSweepInterval: must be positive");
        if (ChunkMinLength < 0) errors.Add("chunkMinLength: must not be negative");
        if (TagsPageLimit < 1) errors.Add("tagsPageLimit: must be at least 1");
        if (ReferrersPageSize < 1) errors.Add("referrersPageSize: must be at least 1");
        if (ManifestCacheBytes < 0) errors.Add("manifestCacheBytes: must not be negative");
        if (AuthConfigPath is not null && !File.Exists(AuthConfigPath)) errors.Add($"authConfigPath: file '{AuthConfigPath}' does not exist");
        return errors;
    }

    /// <summary>Throws <see cref="InvalidRegistryOptionsException"/> listing every problem.</summary>
    public RegistryOptions EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0) throw new InvalidRegistryOptionsException(errors);
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

    internal static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };
}

public sealed class InvalidRegistryOptionsException(IReadOnlyList<string> errors)
    : Exception("invalid registry options: " + string.Join("; ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
