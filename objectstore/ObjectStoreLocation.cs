using System.Diagnostics.CodeAnalysis;

namespace AtymSecure.ObjectStore;

/// <summary>
/// Where blobs live: <c>s3://[ACCESS:SECRET@]BUCKET[/PREFIX]?endpoint=http://127.0.0.1:PORT&amp;region=us-east-1&amp;path-style=true</c>.
/// <list type="bullet">
/// <item><c>endpoint</c>: the server's http(s) base URL (no path); absent = AWS itself for <c>region</c>.</item>
/// <item><c>region</c>: the signing region (default <c>us-east-1</c>; Ceph and Swift accept it).</item>
/// <item><c>path-style</c>: <c>true</c> puts the bucket in the path (<c>http://host/bucket/key</c>), which servers on an IP address
/// need; default true with an <c>endpoint</c>, false without.</item>
/// <item>A path after the bucket is a key prefix, so several services can share one bucket (<c>s3://b/registry</c>).</item>
/// </list>
/// Credentials are not part of the location: the user info, when present, becomes <see cref="ObjectStoreCredentials"/> (see
/// <see cref="ObjectStoreCredentials.Resolve"/>), and <see cref="ToString"/> never shows them. Unknown query parameters are
/// errors (a misspelt <c>path_style</c> would otherwise silently change where requests go).
/// </summary>
public sealed record ObjectStoreLocation
{
    public const string DefaultRegion = "us-east-1";

    private ObjectStoreLocation(string bucket, string prefix, Uri? endpoint, string region, bool pathStyle)
    {
        Bucket = bucket;
        Prefix = prefix;
        Endpoint = endpoint;
        Region = region;
        PathStyle = pathStyle;
    }

    public string Bucket { get; }

    /// <summary>Prepended to every key: empty, or ending in '/'.</summary>
    public string Prefix { get; }

    /// <summary>The server, or null for AWS.</summary>
    public Uri? Endpoint { get; }

    public string Region { get; }

    public bool PathStyle { get; }

    /// <summary>Parses <paramref name="url"/>; the credentials in its user info, if any, go to <paramref name="credentials"/>.</summary>
    /// <exception cref="ObjectStoreException"><see cref="ObjectStoreError.InvalidLocation"/>, naming what is wrong (never echoing a secret)</exception>
    public static ObjectStoreLocation Parse(string url, out ObjectStoreCredentials? credentials) =>
        TryParse(url, out var location, out credentials, out var error)
            ? location
            : throw new ObjectStoreException(ObjectStoreError.InvalidLocation, null, error);

    /// <summary>Parses <paramref name="url"/> without credentials (they must then come from the environment).</summary>
    public static ObjectStoreLocation Parse(string url) => Parse(url, out _);

    public static bool TryParse(string? url, [NotNullWhen(true)] out ObjectStoreLocation? location, out ObjectStoreCredentials? credentials,
        [NotNullWhen(false)] out string? error)
    {
        location = null;
        credentials = null;
        error = Check(url, out var parsed);
        if (error is not null) return false;
        var (bucket, prefix, userInfo, query) = parsed;
        Uri? endpoint = null;
        var region = DefaultRegion;
        bool? pathStyle = null;
        foreach (var (name, value) in query)
        {
            switch (name)
            {
                case "endpoint":
                    if (!Uri.TryCreate(value, UriKind.Absolute, out var e) || e.Scheme is not ("http" or "https") || e.AbsolutePath != "/"
                        || e.Query.Length > 0 || e.UserInfo.Length > 0)
                    {
                        error = $"endpoint '{Truncate(value)}' is not an http(s) URL without path, query or user info";
                        return false;
                    }
                    endpoint = e;
                    break;
                case "region":
                    if (value.Length is 0 or > 64 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
                    {
                        error = $"region '{Truncate(value)}' is not a region name (letters, digits, '-')";
                        return false;
                    }
                    region = value;
                    break;
                case "path-style":
                    if (!bool.TryParse(value, out var p))
                    {
                        error = $"path-style '{Truncate(value)}' is not true or false";
                        return false;
                    }
                    pathStyle = p;
                    break;
                default:
                    error = $"unknown parameter '{Truncate(name)}' (known: endpoint, region, path-style)";
                    return false;
            }
        }
        if (userInfo is not null)
        {
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            var access = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
            var secret = colon < 0 ? "" : Uri.UnescapeDataString(userInfo[(colon + 1)..]);
            if (access.Length == 0 || secret.Length == 0)
            {
                error = "the user info must be ACCESS_KEY:SECRET_KEY (both non-empty, URL-encoded)";
                return false;
            }
            credentials = new ObjectStoreCredentials(access, secret);
        }
        location = new ObjectStoreLocation(bucket, prefix, endpoint, region, pathStyle ?? endpoint is not null);
        return true;
    }

    /// <summary>The same location with <paramref name="more"/> appended to the prefix (a service's own area of a shared bucket).</summary>
    public ObjectStoreLocation WithPrefix(string more)
    {
        ObjectKeys.Require(more);
        return new ObjectStoreLocation(Bucket, Prefix + more.TrimEnd('/') + "/", Endpoint, Region, PathStyle);
    }

    /// <summary>The URL without credentials (safe to log and to show in errors).</summary>
    public override string ToString()
    {
        var query = new List<string>();
        if (Endpoint is not null) query.Add("endpoint=" + Endpoint.GetLeftPart(UriPartial.Authority));
        query.Add("region=" + Region);
        query.Add("path-style=" + (PathStyle ? "true" : "false"));
        return $"s3://{Bucket}/{Prefix}?{string.Join('&', query)}";
    }

    private static string? Check(string? url, out (string Bucket, string Prefix, string? UserInfo, List<(string, string)> Query) parsed)
    {
        parsed = default;
        if (string.IsNullOrWhiteSpace(url)) return "the blob location is empty (expected s3://BUCKET?endpoint=…)";
        if (url.Length > 2048) return "the blob location is longer than 2048 characters";
        if (!url.StartsWith("s3://", StringComparison.Ordinal)) return "the blob location must start with s3://";
        var rest = url[5..];
        var queryStart = rest.IndexOf('?', StringComparison.Ordinal);
        var query = queryStart < 0 ? "" : rest[(queryStart + 1)..];
        rest = queryStart < 0 ? rest : rest[..queryStart];
        if (rest.Contains('#', StringComparison.Ordinal)) return "the blob location must not have a fragment (#)";
        string? userInfo = null;
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            userInfo = rest[..at];
            rest = rest[(at + 1)..];
        }
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        if (!IsBucketName(bucket)) return $"'{Truncate(bucket)}' is not a bucket name (3-63 lower-case letters, digits, '.', '-'; starting and ending with a letter or digit)";
        if (prefix.Length > 0)
        {
            prefix = Uri.UnescapeDataString(prefix);
            if (!ObjectKeys.IsValid(prefix)) return $"the key prefix '{Truncate(prefix)}' is not valid ({ObjectKeys.Rule})";
            prefix += "/";
        }
        var pairs = new List<(string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            if (!seen.Add(name)) return $"parameter '{Truncate(name)}' is given twice";
            pairs.Add((name, value));
        }
        parsed = (bucket, prefix, userInfo, pairs);
        return null;
    }

    private static bool IsBucketName(string name) =>
        name.Length is >= 3 and <= 63
        && name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '.' or '-')
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
        && !name.Contains("..", StringComparison.Ordinal);

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
