using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Oci.Tests.Fakes;

/// <summary>
/// A small in-memory distribution-spec registry behind an HttpMessageHandler, for protocol edge
/// cases the real server cannot be made to produce (faults, missing referrers API, odd headers).
/// It checks what a real registry checks (digests, chunk order, If-Match) so client bugs show.
/// </summary>
internal sealed partial class FakeRegistry : HttpMessageHandler
{
    public ConcurrentDictionary<string, byte[]> Blobs { get; } = new();               // "name|digest"
    public ConcurrentDictionary<string, (string MediaType, byte[] Bytes)> Manifests { get; } = new(); // "name|digest"
    public ConcurrentDictionary<string, string> Tags { get; } = new();                 // "name|tag" → digest
    private readonly ConcurrentDictionary<string, MemoryStream> _uploads = new();
    private int _nextUpload;
    private readonly Lock _tagLock = new();

    public bool SupportsReferrers { get; set; } = true;
    public bool SendsOciSubject { get; set; } = true;
    public bool AppliesArtifactTypeFilter { get; set; } = true;
    public long ChunkMinLength { get; set; }
    public bool SendEtags { get; set; } = true;
    public int TagPageLimit { get; set; } = 1000;

    /// <summary>Runs first; a non-null reply short-circuits (fault injection).</summary>
    public Func<HttpRequestMessage, int, HttpResponseMessage?>? Intercept { get; set; }

    /// <summary>Runs after the fake handled the request (the change is applied); may replace the reply (lost-reply faults).</summary>
    public Func<HttpRequestMessage, HttpResponseMessage, int, HttpResponseMessage>? Rewrite { get; set; }

    /// <summary>Every request: method, full URI, headers, Content-Range.</summary>
    public ConcurrentQueue<(HttpMethod Method, Uri Uri, HttpRequestHeaders Headers, string? ContentRange)> Log { get; } = new();

    public IEnumerable<string> Lines => Log.Select(l => $"{l.Method} {l.Uri.PathAndQuery}");
    private int _count;

    public HttpClient Client() => new(this, disposeHandler: false);

    [GeneratedRegex("^/v2/(?<name>.+)/(?<kind>blobs/uploads|blobs|manifests|tags|referrers)(?:/(?<rest>[^/]*))?$")]
    private static partial Regex Route();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _count);
        var contentRange = request.Content?.Headers.TryGetValues("Content-Range", out var cr) == true ? cr.First() : null;
        Log.Enqueue((request.Method, request.RequestUri!, request.Headers, contentRange));
        if (Intercept?.Invoke(request, n) is { } injected)
        {
            injected.RequestMessage = request;
            return injected;
        }
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var response = Handle(request, body, contentRange);
        if (Rewrite is not null) response = Rewrite(request, response, n);
        response.RequestMessage = request;
        return response;
    }

    private HttpResponseMessage Handle(HttpRequestMessage req, byte[] body, string? contentRange)
    {
        var uri = req.RequestUri!;
        if (uri.AbsolutePath == "/v2/") return new HttpResponseMessage(HttpStatusCode.OK);
        var m = Route().Match(uri.AbsolutePath);
        if (!m.Success) return Error(HttpStatusCode.NotFound, "NAME_UNKNOWN");
        var name = m.Groups["name"].Value;
        var rest = Uri.UnescapeDataString(m.Groups["rest"].Value);
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        return (m.Groups["kind"].Value, req.Method.Method) switch
        {
            ("blobs", "GET" or "HEAD") => Blobs.TryGetValue($"{name}|{rest}", out var b)
                ? req.Headers.Range?.Ranges.FirstOrDefault() is { From: { } from } ? Partial(b, from, rest)
                : Bytes(req.Method == HttpMethod.Head ? null : b, b.Length, MediaTypes.OctetStream, rest)
                : Error(HttpStatusCode.NotFound, "BLOB_UNKNOWN"),
            ("blobs", "DELETE") => Blobs.TryRemove($"{name}|{rest}", out _) ? new HttpResponseMessage(HttpStatusCode.Accepted) : Error(HttpStatusCode.NotFound, "BLOB_UNKNOWN"),
            ("blobs/uploads", "POST") => StartUpload(name, query["mount"], query["from"]),
            ("blobs/uploads", "PATCH") => Patch(name, rest, body, contentRange),
            ("blobs/uploads", "GET") => _uploads.TryGetValue(rest, out var s) ? Status(name, rest, s, HttpStatusCode.NoContent) : Error(HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN"),
            ("blobs/uploads", "PUT") => Close(name, rest, body, query["digest"]),
            ("blobs/uploads", "DELETE") => _uploads.TryRemove(rest, out _) ? new HttpResponseMessage(HttpStatusCode.NoContent) : Error(HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN"),
            ("manifests", "GET" or "HEAD") => GetManifest(name, rest, req.Method == HttpMethod.Head),
            ("manifests", "PUT") => PutManifest(req, name, rest, body),
            ("manifests", "DELETE") => DeleteManifest(name, rest),
            ("tags", "GET") => ListTags(uri, name, query["n"], query["last"]),
            ("referrers", "GET") => SupportsReferrers ? Referrers(name, rest, query["artifactType"]) : Error(HttpStatusCode.NotFound, "UNSUPPORTED"),
            _ => Error(HttpStatusCode.MethodNotAllowed, "UNSUPPORTED"),
        };
    }

    public static HttpResponseMessage Error(HttpStatusCode status, string code, string message = "fake")
    {
        var r = new HttpResponseMessage(status) { Content = new StringContent($"{{\"errors\":[{{\"code\":\"{code}\",\"message\":\"{message}\"}}]}}") };
        r.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return r;
    }

    private HttpResponseMessage Bytes(byte[]? content, long length, string mediaType, string digest)
    {
        var r = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(content ?? []) };
        r.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        r.Content.Headers.ContentLength = length;
        r.Headers.Add(OciHeaders.ContentDigest, digest);
        if (SendEtags) r.Headers.ETag = new EntityTagHeaderValue($"\"{digest}\"");
        return r;
    }

    private static HttpResponseMessage Partial(byte[] blob, long from, string digest)
    {
        if (from >= blob.Length) return Error(HttpStatusCode.RequestedRangeNotSatisfiable, "BLOB_UNKNOWN");
        var r = new HttpResponseMessage(HttpStatusCode.PartialContent) { Content = new ByteArrayContent(blob, (int)from, blob.Length - (int)from) };
        r.Content.Headers.ContentRange = new ContentRangeHeaderValue(from, blob.Length - 1, blob.Length);
        r.Headers.Add(OciHeaders.ContentDigest, digest);
        return r;
    }

    private HttpResponseMessage StartUpload(string name, string? mount, string? from)
    {
        if (mount is not null && from is not null && Blobs.TryGetValue($"{from}|{mount}", out var blob))
        {
            Blobs[$"{name}|{mount}"] = blob;
            var created = new HttpResponseMessage(HttpStatusCode.Created);
            created.Headers.Location = new Uri($"/v2/{name}/blobs/{mount}", UriKind.Relative);
            created.Headers.Add(OciHeaders.ContentDigest, mount);
            return created;
        }
        var id = $"u{Interlocked.Increment(ref _nextUpload)}";
        _uploads[id] = new MemoryStream();
        var r = Status(name, id, _uploads[id], HttpStatusCode.Accepted);
        if (ChunkMinLength > 0) r.Headers.Add(OciHeaders.ChunkMinLength, ChunkMinLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return r;
    }

    private static HttpResponseMessage Status(string name, string id, MemoryStream s, HttpStatusCode code)
    {
        var r = new HttpResponseMessage(code);
        r.Headers.Location = new Uri($"/v2/{name}/blobs/uploads/{id}?state=x", UriKind.Relative);
        r.Headers.TryAddWithoutValidation("Range", $"0-{Math.Max(0, s.Length - 1)}");
        return r;
    }

    private HttpResponseMessage Patch(string name, string id, byte[] body, string? contentRange)
    {
        if (!_uploads.TryGetValue(id, out var s)) return Error(HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        lock (s)
        {
            if (contentRange is not null)
            {
                var parts = contentRange.Split('-');
                if (long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) != s.Length
                    || long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) - long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) + 1 != body.Length)
                    return Error(HttpStatusCode.RequestedRangeNotSatisfiable, "BLOB_UPLOAD_INVALID");
            }
            s.Write(body);
            return Status(name, id, s, HttpStatusCode.Accepted);
        }
    }

    private HttpResponseMessage Close(string name, string id, byte[] body, string? digest)
    {
        if (!_uploads.TryRemove(id, out var s)) return Error(HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        s.Write(body);
        var bytes = s.ToArray();
        if (!Digest.TryParse(digest, out var d) || !d.Matches(bytes)) return Error(HttpStatusCode.BadRequest, "DIGEST_INVALID");
        Blobs[$"{name}|{d}"] = bytes;
        var r = new HttpResponseMessage(HttpStatusCode.Created);
        r.Headers.Location = new Uri($"/v2/{name}/blobs/{d}", UriKind.Relative);
        r.Headers.Add(OciHeaders.ContentDigest, d.ToString());
        return r;
    }

    private string? DigestOf(string name, string reference) =>
        Digest.TryParse(reference, out _) ? reference : Tags.TryGetValue($"{name}|{reference}", out var d) ? d : null;

    private HttpResponseMessage GetManifest(string name, string reference, bool head)
    {
        if (DigestOf(name, reference) is not { } digest || !Manifests.TryGetValue($"{name}|{digest}", out var m))
            return Error(HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        return Bytes(head ? null : m.Bytes, m.Bytes.Length, m.MediaType, digest);
    }

    private HttpResponseMessage PutManifest(HttpRequestMessage req, string name, string reference, byte[] body)
    {
        var digest = Digest.Compute(body).ToString();
        if (Digest.TryParse(reference, out var byDigest) && byDigest.ToString() != digest) return Error(HttpStatusCode.BadRequest, "DIGEST_INVALID");
        var mediaType = req.Content!.Headers.ContentType!.MediaType!;
        lock (_tagLock) // check-and-set of If-Match must be atomic, as in a real registry
        {
            if (req.Headers.IfNoneMatch.Contains(EntityTagHeaderValue.Any) && DigestOf(name, reference) is not null)
                return new HttpResponseMessage(HttpStatusCode.PreconditionFailed);
            if (req.Headers.IfMatch.Count > 0)
            {
                var current = DigestOf(name, reference);
                if (current is null || req.Headers.IfMatch.All(e => e.Tag != $"\"{current}\"")) return new HttpResponseMessage(HttpStatusCode.PreconditionFailed);
            }
            Manifests[$"{name}|{digest}"] = (mediaType, body);
            if (!Digest.TryParse(reference, out _)) Tags[$"{name}|{reference}"] = digest;
        }
        var r = new HttpResponseMessage(HttpStatusCode.Created);
        r.Headers.Location = new Uri($"/v2/{name}/manifests/{digest}", UriKind.Relative);
        r.Headers.Add(OciHeaders.ContentDigest, digest);
        using var doc = JsonDocument.Parse(body);
        if (SendsOciSubject && SupportsReferrers && doc.RootElement.TryGetProperty("subject", out var subject))
            r.Headers.Add(OciHeaders.Subject, subject.GetProperty("digest").GetString());
        return r;
    }

    private HttpResponseMessage DeleteManifest(string name, string reference)
    {
        if (DigestOf(name, reference) is not { } digest || !Manifests.TryRemove($"{name}|{digest}", out _))
            return Error(HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        foreach (var t in Tags.Where(t => t.Value == digest && t.Key.StartsWith(name + "|", StringComparison.Ordinal))) Tags.TryRemove(t.Key, out _);
        return new HttpResponseMessage(HttpStatusCode.Accepted);
    }

    private HttpResponseMessage ListTags(Uri uri, string name, string? n, string? last)
    {
        var all = Tags.Keys.Where(k => k.StartsWith(name + "|", StringComparison.Ordinal)).Select(k => k[(name.Length + 1)..])
            .Order(StringComparer.Ordinal).Where(t => last is null || string.CompareOrdinal(t, last) > 0).ToList();
        var limit = Math.Min(n is null ? int.MaxValue : int.Parse(n, System.Globalization.CultureInfo.InvariantCulture), TagPageLimit);
        var page = all.Take(limit).ToList();
        var r = new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(JsonSerializer.Serialize(new { name, tags = page }), Encoding.UTF8, "application/json"),
        };
        if (all.Count > page.Count)
            r.Headers.TryAddWithoutValidation("Link", $"</v2/{name}/tags/list?n={limit}&last={page[^1]}>; rel=\"next\"");
        return r;
    }

    private HttpResponseMessage Referrers(string name, string subject, string? artifactType)
    {
        var list = new List<Descriptor>();
        foreach (var (key, m) in Manifests.Where(kv => kv.Key.StartsWith(name + "|", StringComparison.Ordinal)))
        {
            var node = AtymSecure.Oci.Content.ManifestNode.Parse(
                new Descriptor { MediaType = m.MediaType, Digest = Digest.Parse(key[(name.Length + 1)..]), Size = m.Bytes.Length }, m.Bytes);
            if (node.Subject?.Digest.ToString() != subject) continue;
            var d = node.AsReferrer();
            if (artifactType is null || !AppliesArtifactTypeFilter || d.ArtifactType == artifactType) list.Add(d);
        }
        var r = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(OciJson.Serialize(new ImageIndex { Manifests = list })) };
        r.Content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.ImageIndex);
        if (artifactType is not null && AppliesArtifactTypeFilter) r.Headers.Add(OciHeaders.FiltersApplied, "artifactType");
        return r;
    }
}
