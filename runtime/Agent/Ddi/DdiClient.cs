using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using AtymSecure.Formats.DeviceProtocol.Ddi;

namespace AtymSecure.DeviceAgent.Ddi;

/// <summary>A DDI answer the agent cannot use: a status other than 200, or a body the DDI reader refused.</summary>
public sealed class DdiServerException(string message, HttpStatusCode? status = null, Exception? inner = null) : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>
/// The agent's side of the hawkBit DDI controller API (hawkBit's docs, <see cref="DdiPaths"/>): the base poll, the links
/// the server gives (deploymentBase, cancelAction), feedback, and artifact downloads with <c>Range</c> resume. Every
/// request carries <c>Authorization: TargetToken K</c> (when a token is set) and <c>Accept: application/hal+json</c>;
/// every body is read through a cap (the message's <c>MaxBytes</c>) and <see cref="DdiJson"/>, so a hostile server
/// gets a <see cref="DdiServerException"/>, never a parse of unbounded input. Links are followed only when they are
/// absolute http(s) URLs on the same host and port as the server: a DDI answer never sends the agent elsewhere.
/// The client trusts the server for nothing but what to fetch: the artifact is verified on the device afterwards.
/// </summary>
public sealed class DdiClient(HttpClient http, DdiAgentOptions options)
{
    private readonly HttpClient _http = http ?? throw new ArgumentNullException(nameof(http));
    private readonly DdiAgentOptions _options = options ?? throw new ArgumentNullException(nameof(options));

    public string ControllerId => _options.ControllerId ?? throw new InvalidOperationException("no controller id");

    private Uri BaseUri => new(_options.Server, DdiPaths.Base(_options.Tenant, ControllerId));

    public async Task<DdiControllerBase> PollAsync(CancellationToken ct) =>
        DdiJson.ReadControllerBase(await GetAsync(BaseUri, DdiControllerBase.MaxBytes, ct).ConfigureAwait(false));

    public async Task<DdiDeploymentBase> DeploymentAsync(DdiLink link, CancellationToken ct) =>
        DdiJson.ReadDeploymentBase(await GetAsync(Follow(link), DdiDeploymentBase.MaxBytes, ct).ConfigureAwait(false));

    public async Task<DdiCancel> CancelAsync(DdiLink link, CancellationToken ct) =>
        DdiJson.ReadCancel(await GetAsync(Follow(link), DdiCancel.MaxBytes, ct).ConfigureAwait(false));

    /// <summary>POSTs feedback on a deployment (<paramref name="cancel"/> false) or a cancellation; 200 expected.</summary>
    public async Task FeedbackAsync(string actionId, DdiActionFeedback feedback, bool cancel, CancellationToken ct)
    {
        var path = cancel ? DdiPaths.CancelFeedback(_options.Tenant, ControllerId, actionId) : DdiPaths.DeploymentFeedback(_options.Tenant, ControllerId, actionId);
        using var request = Request(HttpMethod.Post, new Uri(_options.Server, path));
        request.Content = new ByteArrayContent(DdiJson.Write(feedback));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new DdiServerException($"feedback on action {actionId}: HTTP {(int)response.StatusCode}", response.StatusCode);
    }

    /// <summary>
    /// Downloads <paramref name="artifact"/> into <paramref name="partial"/>, resuming with <c>Range</c> from what is there;
    /// at most its announced size, and its sha256 checked at the end (a mismatch deletes the file). Returns the file.
    /// </summary>
    /// <exception cref="DdiServerException">No download link, a refused range, a short download (resumed next time).</exception>
    /// <exception cref="DdiArtifactRefusedException">More bytes than announced, or a hash mismatch (the file is deleted).</exception>
    public async Task DownloadAsync(DdiArtifact artifact, string partial, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var link = artifact.Links?.DownloadHttp ?? artifact.Links?.Download ?? throw new DdiServerException($"artifact {artifact.Filename} has no download link");
        var have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (have > artifact.Size) { File.Delete(partial); have = 0; }
        if (have < artifact.Size)
        {
            using var request = Request(HttpMethod.Get, Follow(link));
            if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if (have > 0 && response.StatusCode == HttpStatusCode.OK) have = 0; // the server ignored the range: start over
            else if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.PartialContent))
                throw new DdiServerException($"download of {artifact.Filename}: HTTP {(int)response.StatusCode}", response.StatusCode);
            await using var output = new FileStream(partial, have == 0 ? FileMode.Create : FileMode.Append, FileAccess.Write);
            await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            var buffer = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                if (have + read > artifact.Size)
                {
                    output.Close();
                    File.Delete(partial);
                    throw new DdiArtifactRefusedException($"download of {artifact.Filename}: more than the {artifact.Size} bytes announced");
                }
                await output.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                have += read;
            }
            await output.FlushAsync(ct).ConfigureAwait(false);
            output.Flush(flushToDisk: true);
        }
        if (have != artifact.Size) throw new DdiServerException($"download of {artifact.Filename}: {have} of {artifact.Size} bytes (resumed next poll)");
        string sha;
        await using (var read = File.OpenRead(partial)) sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(read, ct).ConfigureAwait(false));
        if (sha != artifact.Hashes.Sha256)
        {
            File.Delete(partial);
            throw new DdiArtifactRefusedException($"download of {artifact.Filename}: sha256 {sha}, the server announced {artifact.Hashes.Sha256}");
        }
    }

    /// <summary>A link as a URL on the server's own scheme, host and port; anything else is refused.</summary>
    public Uri Follow(DdiLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        if (!Uri.TryCreate(link.Href, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new DdiServerException($"link '{Cut(link.Href)}' is not an absolute http(s) URL");
        if (!string.Equals(uri.Host, _options.Server.Host, StringComparison.OrdinalIgnoreCase) || uri.Port != _options.Server.Port)
            throw new DdiServerException($"link '{Cut(link.Href)}' leaves the DDI server {_options.Server.Authority}");
        return uri;
    }

    private async Task<byte[]> GetAsync(Uri uri, int maxBytes, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Get, uri);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK) throw new DdiServerException($"GET {uri.AbsolutePath}: HTTP {(int)response.StatusCode}", response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes) throw new DdiServerException($"GET {uri.AbsolutePath}: answer above {maxBytes} bytes");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private HttpRequestMessage Request(HttpMethod method, Uri uri)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/hal+json"));
        if (_options.TargetToken is { } token) request.Headers.Authorization = new AuthenticationHeaderValue("TargetToken", token);
        return request;
    }

    private static string Cut(string? text) => text is null ? "" : text.Length > 80 ? text[..80] + "…" : text;
}
