namespace AtymSecure.Registry.Http;

/// <summary>What a <c>/v2/…</c> path addresses.</summary>
public enum RouteKind
{
    /// <summary><c>/v2/</c> (end-1).</summary>
    Base,
    /// <summary><c>/v2/&lt;name&gt;/blobs/&lt;digest&gt;</c>.</summary>
    Blob,
    /// <summary><c>/v2/&lt;name&gt;/blobs/uploads/</c> (start an upload or mount).</summary>
    UploadStart,
    /// <summary><c>/v2/&lt;name&gt;/blobs/uploads/&lt;id&gt;</c>.</summary>
    UploadSession,
    /// <summary><c>/v2/&lt;name&gt;/manifests/&lt;reference&gt;</c>.</summary>
    Manifest,
    /// <summary><c>/v2/&lt;name&gt;/tags/list</c>.</summary>
    TagList,
    /// <summary><c>/v2/&lt;name&gt;/referrers/&lt;digest&gt;</c>.</summary>
    Referrers,
}

/// <summary>
/// A parsed registry path. Repository names may contain slashes and even segments named
/// <c>blobs</c> or <c>manifests</c>, so the suffix is recognised from the end of the path:
/// the last one or two segments decide the kind, everything before them is the name.
/// </summary>
public sealed record RegistryRoute(RouteKind Kind, string Name, string Reference)
{
    /// <summary>Parses the part after <c>/v2/</c>; null when it is no registry path at all.</summary>
    public static RegistryRoute? Parse(string? path)
    {
        if (string.IsNullOrEmpty(path)) return new RegistryRoute(RouteKind.Base, "", "");
        var segments = path.Split('/');
        var n = segments.Length;
        if (n >= 3 && segments[n - 1] == "list" && segments[n - 2] == "tags")
            return Make(RouteKind.TagList, segments, n - 2, "");
        if (n >= 4 && segments[n - 2] == "uploads" && segments[n - 3] == "blobs")
            return segments[n - 1].Length == 0
                ? Make(RouteKind.UploadStart, segments, n - 3, "")
                : Make(RouteKind.UploadSession, segments, n - 3, segments[n - 1]);
        if (n >= 3 && segments[n - 1] == "uploads" && segments[n - 2] == "blobs")
            return Make(RouteKind.UploadStart, segments, n - 2, "");
        if (n >= 3 && segments[n - 1].Length > 0)
        {
            var kind = segments[n - 2] switch
            {
                "blobs" => RouteKind.Blob,
                "manifests" => RouteKind.Manifest,
                "referrers" => RouteKind.Referrers,
                _ => (RouteKind?)null,
            };
            if (kind is { } k) return Make(k, segments, n - 2, segments[n - 1]);
        }
        return null;
    }

    private static RegistryRoute Make(RouteKind kind, string[] segments, int nameSegments, string reference) =>
        new(kind, string.Join('/', segments, 0, nameSegments), reference);
}
