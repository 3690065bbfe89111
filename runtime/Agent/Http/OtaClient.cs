using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.Formats.UpdateMetadata.Verification;

namespace AtymSecure.DeviceAgent.Http;

/// <summary>The outcome of one poll: nothing changed (304), or the server's answer.</summary>
public sealed record PollResult(bool NotModified, PollAnswer? Answer);

/// <summary>
/// The device's one HTTP client of the OTA server (docs/device-protocol.md): enrolment, challenge → session token,
/// poll with <c>If-None-Match</c>, signed version reports, and the URLs of the image repository, the director's roots
/// and the bundles. Small and self-contained (an <see cref="HttpClient"/>, the identity key, the device id), so a fleet
/// simulation runs thousands in one process. Every answer is read with the protocol's strict readers under their
/// caps; an error status, an unreadable body or a transport failure is an <see cref="OtaServerException"/> (an
/// <see cref="IOException"/>), so the caller handles "server down" and "server answers garbage" the same way.
/// A 401 on an authenticated request drops the session; the next call authenticates again.
/// </summary>
public sealed class OtaClient
{
    private readonly HttpClient _http;
    private readonly ECDsa _identity;
    private readonly TimeProvider _clock;
    private string? _session;
    private DateTimeOffset _sessionExpires;
    private string? _etag;

    /// <param name="server">The server's base URL (the origin the device signs challenges for).</param>
    /// <param name="identity">The device identity key (its private half signs challenges and reports).</param>
    public OtaClient(HttpClient http, Uri server, string deviceId, ECDsa identity, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentNullException.ThrowIfNull(identity);
        _http = http;
        Server = server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");
        DeviceId = deviceId;
        _identity = identity;
        _clock = clock ?? TimeProvider.System;
    }

    public Uri Server { get; }

    public string DeviceId { get; }

    public bool HasSession => _session is not null && _clock.GetUtcNow() < _sessionExpires - TimeSpan.FromMinutes(1);

    /// <summary><c>POST /api/v1/devices/enroll</c>: signs <paramref name="request"/> (its signature is replaced) and sends it.</summary>
    public async Task<EnrollmentAnswer> EnrollAsync(EnrollmentRequest request, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(request);
        var signed = request.WithSignature(Sign(request.SignedBytes()));
        var body = await SendAsync(HttpMethod.Post, DeviceProtocolPaths.Enroll, signed.ToJson(), authenticated: false, cancel).ConfigureAwait(false);
        return Read(body.Bytes, b => EnrollmentAnswer.Parse(b), "enrolment answer");
    }

    /// <summary>Challenge, then session: afterwards every device request carries the session token.</summary>
    public async Task AuthenticateAsync(CancellationToken cancel)
    {
        var challengeBody = await SendAsync(HttpMethod.Post, DeviceProtocolPaths.Challenge(DeviceId), null, authenticated: false, cancel).ConfigureAwait(false);
        var challenge = Read(challengeBody.Bytes, b => ChallengeAnswer.Parse(b), "challenge");
        var signature = Sign(DeviceSigningInputs.Challenge(challenge.Challenge, DeviceId, DeviceSigningInputs.Origin(Server)));
        var sessionBody = await SendAsync(HttpMethod.Post, DeviceProtocolPaths.Session(DeviceId), new SessionRequest(challenge.Challenge, signature).ToJson(),
            authenticated: false, cancel).ConfigureAwait(false);
        var session = Read(sessionBody.Bytes, b => SessionAnswer.Parse(b), "session answer");
        _session = session.Token;
        _sessionExpires = DateTimeOffset.FromUnixTimeSeconds(session.ExpiresAt);
    }

    /// <summary><c>GET …/poll</c> with the last ETag: 304 is <see cref="PollResult.NotModified"/>.</summary>
    public async Task<PollResult> PollAsync(CancellationToken cancel)
    {
        var answer = await SendAsync(HttpMethod.Get, DeviceProtocolPaths.Poll(DeviceId), null, authenticated: true, cancel, _etag).ConfigureAwait(false);
        if (answer.Status == HttpStatusCode.NotModified) return new PollResult(true, null);
        var poll = Read(answer.Bytes, b => PollAnswer.Parse(b), "poll answer");
        _etag = answer.ETag;
        return new PollResult(false, poll);
    }

    /// <summary>Signs and sends <paramref name="report"/>; returns the nonce the server now acknowledges.</summary>
    public async Task<ReportAnswer> ReportAsync(VersionReport report, CancellationToken cancel)
    {
        var signed = SignedVersionReport.Create(report, Sign);
        var answer = await SendAsync(HttpMethod.Post, DeviceProtocolPaths.Reports(DeviceId), signed.ToJson(), authenticated: true, cancel).ConfigureAwait(false);
        return Read(answer.Bytes, b => ReportAnswer.Parse(b), "report answer");
    }

    /// <summary>The image repository (public, <c>/tuf/metadata/</c>).</summary>
    public IMetadataSource ImageRepository() => new HttpMetadataSource(_http, new Uri(Server, "tuf/metadata/"));

    /// <summary>
    /// The director as the verifier reads it: <c>targets.json</c> is the file the poll answer carried (exactly as signed),
    /// root files come from the device's private director path with the session token.
    /// </summary>
    public IMetadataSource Director(byte[] targets) =>
        new PolledDirectorSource(targets, new HttpMetadataSource(_http, new Uri(Server, DeviceProtocolPaths.Director(DeviceId, "").TrimStart('/')), Authorize));

    /// <summary>Public, content-addressed bundle URL (<c>/bundles/sha256/HEX</c>).</summary>
    public Uri BundleUrl(VerifiedInstall install)
    {
        ArgumentNullException.ThrowIfNull(install);
        return new Uri(Server, "bundles/sha256/" + install.Bundle.Sha256);
    }

    private void Authorize(HttpRequestMessage request)
    {
        if (_session is { } token) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    private byte[] Sign(byte[] data) => _identity.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    private sealed record Answer(HttpStatusCode Status, byte[] Bytes, string? ETag);

    /// <summary>Largest body any device answer may have (the poll answer's cap); more is refused unread.</summary>
    private const int MaxAnswerBytes = PollAnswer.MaxBytes;

    private async Task<Answer> SendAsync(HttpMethod method, string path, byte[]? body, bool authenticated, CancellationToken cancel, string? ifNoneMatch = null)
    {
        if (authenticated && !HasSession) await AuthenticateAsync(cancel).ConfigureAwait(false);
        using var request = new HttpRequestMessage(method, new Uri(Server, path.TrimStart('/')));
        if (body is not null) request.Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue(DeviceProtocolPaths.MediaType) } };
        if (authenticated) Authorize(request);
        if (ifNoneMatch is not null) request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotModified) return new Answer(response.StatusCode, [], ifNoneMatch);
            if (response.StatusCode == HttpStatusCode.Unauthorized && authenticated) _session = null; // re-authenticate next time
            var retryAfter = response.Headers.RetryAfter is { } r ? r.Delta ?? (r.Date - _clock.GetUtcNow()) : null;
            await using var stream = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
            var bytes = MetadataStreams.ReadAtMost(stream, MaxAnswerBytes + 1);
            if (!response.IsSuccessStatusCode)
                throw new OtaServerException($"{method} {path}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}", (int)response.StatusCode, retryAfter);
            if (bytes.Length > MaxAnswerBytes) throw new OtaServerException($"{method} {path}: answer above {MaxAnswerBytes} bytes");
            return new Answer(response.StatusCode, bytes, response.Headers.ETag?.ToString());
        }
        catch (HttpRequestException e)
        {
            throw new OtaServerException($"{method} {path}: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new OtaServerException($"{method} {path}: timed out", e);
        }
    }

    private static T Read<T>(byte[] bytes, Func<byte[], T> parse, string what)
    {
        try
        {
            return parse(bytes);
        }
        catch (DeviceProtocolException e)
        {
            throw new OtaServerException($"unreadable {what}: {e.Message}", e);
        }
    }
}

/// <summary>The director for one cycle: its targets file from the poll answer, everything else (roots) over HTTP.</summary>
internal sealed class PolledDirectorSource(byte[] targets, IMetadataSource rest) : IMetadataSource
{
    public byte[]? Fetch(string name, long maxBytes) =>
        name == "targets.json" ? (targets.Length > maxBytes ? targets[..(int)(maxBytes + 1)] : targets) : rest.Fetch(name, maxBytes);
}
