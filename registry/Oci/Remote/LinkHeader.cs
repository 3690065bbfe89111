using System.Text.RegularExpressions;

namespace AtymSecure.Oci.Remote;

/// <summary>
/// The <c>Link: &lt;url&gt;; rel="next"</c> header (RFC 8288) that pages tags, catalog and referrers.
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#listing-tags
/// </summary>
internal static partial class LinkHeader
{
    [GeneratedRegex("<([^>]*)>\\s*;(?:[^,]*?)rel=\"?next\"?", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex NextPattern();

    /// <summary>The next page, resolved against the request; only on the same scheme and authority so credentials never leak.</summary>
    public static Uri? Next(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values)) return null;
        var request = response.RequestMessage?.RequestUri;
        foreach (var value in values)
        {
            var match = NextPattern().Match(value);
            if (!match.Success) continue;
            if (request is null || !Uri.TryCreate(request, match.Groups[1].Value, out var next)) continue;
            if (next.Scheme != request.Scheme || next.Authority != request.Authority)
                throw new OciException($"registry sent a Link to another host ({next.GetLeftPart(UriPartial.Authority)}); refusing to follow");
            return next;
        }
        return null;
    }
}
