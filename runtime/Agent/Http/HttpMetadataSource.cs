using System.Net;
using AtymSecure.Formats.UpdateMetadata.Verification;

namespace AtymSecure.DeviceAgent.Http;

/// <summary>
/// One repository's metadata over HTTP (docs/update-metadata.md §1): <c>GET base + name</c>. 404 is "no such file"
/// (the root walk stops there); any other non-success status, a dropped connection or a timeout is an
/// <see cref="IOException"/>, which the verifier reports as <c>download-failed</c>. The body is read at most
/// <c>maxBytes + 1</c> bytes deep, whatever Content-Length says, so endless data costs one byte over the cap
/// (the verifier then refuses it as <c>metadata-too-large</c>). Synchronous, as <see cref="IMetadataSource"/> is: the
/// verifier runs on the update loop's own thread, never on the runner's.
/// </summary>
public sealed class HttpMetadataSource : IMetadataSource
{
    private readonly HttpClient _client;
    private readonly Uri _base;
    private readonly Action<HttpRequestMessage>? _prepare;

    /// <param name="baseUri">The repository's metadata base; must end with '/' (<c>…/tuf/metadata/</c>).</param>
    /// <param name="prepare">Adds what a private repository needs to each request (the director: the device's session token).</param>
    public HttpMetadataSource(HttpClient client, Uri baseUri, Action<HttpRequestMessage>? prepare = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(baseUri);
        if (!baseUri.AbsoluteUri.EndsWith('/')) throw new ArgumentException($"a metadata base ends with '/': {baseUri}", nameof(baseUri));
        _client = client;
        _base = baseUri;
        _prepare = prepare;
    }

    /// <summary>Names fetched, in order (reports and tests say what the device asked for).</summary>
    public IReadOnlyList<string> Requests => _requests;

    private readonly List<string> _requests = [];

    public byte[]? Fetch(string name, long maxBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) || name.StartsWith('.'))
            throw new ArgumentException($"'{name}' is not a metadata file name", nameof(name));
        _requests.Add(name);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_base, Uri.EscapeDataString(name)));
        _prepare?.Invoke(request);
        try
        {
            using var response = _client.Send(request, HttpCompletionOption.ResponseHeadersRead);
            if (response.StatusCode == HttpStatusCode.NotFound) return null;
            if (!response.IsSuccessStatusCode) throw new IOException($"GET {request.RequestUri}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            using var body = response.Content.ReadAsStream();
            return MetadataStreams.ReadAtMost(body, maxBytes + 1);
        }
        catch (HttpRequestException e)
        {
            throw new IOException($"GET {request.RequestUri}: {e.Message}", e);
        }
        catch (TaskCanceledException e)
        {
            throw new IOException($"GET {request.RequestUri}: timed out", e);
        }
    }
}
