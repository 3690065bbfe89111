using System.Collections.Concurrent;
using System.Security.Cryptography;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.Formats.Tests.UpdateMetadata;

namespace AtymSecure.DeviceAgent.Tests.Support;

/// <summary>
/// The device API of docs/device-protocol.md on loopback (HostileHttpServer), over a <see cref="MetadataWorld"/>: enrol,
/// challenge → session (the signature is checked), poll with ETag/304 carrying the director file, signed reports
/// (checked, kept; each one re-signs the director document echoing its nonce, as the real director does), the director's
/// root files, the image repository and the bundles (with Range). <see cref="Misbehave"/> lets a test answer any request
/// its own way first — the hostile server or network.
/// </summary>
internal sealed class TestOtaServer : IAsyncDisposable
{
    private readonly MetadataWorld _world;
    private readonly ConcurrentDictionary<string, byte[]> _bundles = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _challenges = new(StringComparer.Ordinal);
    private readonly HostileHttpServer _http;
    private readonly Lock _gate = new();
    private DeviceKey? _deviceKey;
    private TestDirector.Assignment[] _assignments = [];

    public TestOtaServer(MetadataWorld world)
    {
        _world = world;
        _http = new HostileHttpServer(HandleAsync);
    }

    public Uri BaseUri => _http.BaseUri;

    public ConcurrentQueue<HttpExchange> Requests => _http.Requests;

    public ConcurrentQueue<VersionReport> Reports { get; } = new();

    /// <summary>Answers a request first when it returns true (the request is then done).</summary>
    public Func<HttpExchange, Task<bool>>? Misbehave { get; set; }

    public int PollIntervalSeconds { get; set; } = 1;

    /// <summary>When set, each report re-signs the director document with this (null: the assignments, echoing the report's nonce).</summary>
    public Func<string, byte[]>? DirectorDocument { get; set; }

    /// <summary>What the director assigns from the next report on (published at once for the last acknowledged nonce).</summary>
    public void Assign(params TestDirector.Assignment[] assignments)
    {
        lock (_gate)
        {
            _assignments = assignments;
            foreach (var a in assignments) _bundles[Convert.ToHexStringLower(SHA256.HashData(a.Bundle))] = a.Bundle;
            if (Reports.LastOrDefault() is { } last) Publish(last.Nonce);
        }
    }

    /// <summary>
    /// Changes the world (publish, rotate, tamper with a served file) while no request reads it: the served files are
    /// read under the same lock, so a running device never sees a half-made change.
    /// </summary>
    public void Change(Action change)
    {
        lock (_gate) change();
    }

    /// <summary>
    /// Moves the server's clock and re-signs the director document for the last report at once, so no poll after this
    /// call can fetch a director document signed by the old clock.
    /// </summary>
    public void SetClock(DateTimeOffset now)
    {
        lock (_gate)
        {
            _world.Clock.Now = now;
            if (Reports.LastOrDefault() is { } last) Publish(last.Nonce);
        }
    }

    /// <summary>Serves <paramref name="bytes"/> at /bundles/sha256/<paramref name="sha256"/> (a bundle the director names by another hash).</summary>
    public void ServeBundle(string sha256, byte[] bytes) => _bundles[sha256] = bytes;

    private void Publish(string nonce)
    {
        if (DirectorDocument is { } custom) _world.Director.Source[TestDirector.TargetsFile] = custom(nonce);
        else _world.Assign(nonce, _assignments);
    }

    private async Task HandleAsync(HttpExchange e)
    {
        if (Misbehave is { } misbehave && await misbehave(e)) return;
        var path = e.Path;
        var id = _world.DeviceId;
        if (e.Method == "POST" && path == DeviceProtocolPaths.Enroll)
        {
            var request = EnrollmentRequest.Parse(e.Body);
            var key = DeviceKey.Parse(request.PublicKey);
            if (key.DerivedDeviceId != request.DeviceId || !key.Verify(request.SignedBytes(), request.Signature)) { await e.RespondAsync(400); return; }
            _deviceKey = key;
            await e.RespondAsync(201, new EnrollmentAnswer(request.DeviceId, EnrollmentStatus.Enrolled, 0).ToJson());
        }
        else if (e.Method == "POST" && path == DeviceProtocolPaths.Challenge(id))
        {
            var challenge = RandomNumberGenerator.GetBytes(32);
            _challenges[Convert.ToHexString(challenge)] = 0;
            await e.RespondAsync(200, new ChallengeAnswer(challenge, DateTimeOffset.UtcNow.AddSeconds(60).ToUnixTimeSeconds()).ToJson());
        }
        else if (e.Method == "POST" && path == DeviceProtocolPaths.Session(id))
        {
            var request = SessionRequest.Parse(e.Body);
            var ok = _challenges.TryRemove(Convert.ToHexString(request.Challenge), out _) && _deviceKey is { } key
                && key.Verify(DeviceSigningInputs.Challenge(request.Challenge, id, DeviceSigningInputs.Origin(BaseUri)), request.Signature);
            if (!ok) { await e.RespondAsync(401); return; }
            await e.RespondAsync(200, new SessionAnswer("session-" + id, _world.Clock.GetUtcNow().AddHours(1).ToUnixTimeSeconds()).ToJson());
        }
        else if (e.Header("Authorization") != $"Bearer session-{id}" && path.StartsWith("/api/v1/devices/", StringComparison.Ordinal))
        {
            await e.RespondAsync(401);
        }
        else if (e.Method == "GET" && path == DeviceProtocolPaths.Poll(id))
        {
            byte[] answer;
            lock (_gate)
                answer = new PollAnswer(PollIntervalSeconds, _world.Director.Source[TestDirector.TargetsFile], Reports.LastOrDefault()?.Nonce).ToJson();
            var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(answer))[..32]}\"";
            if (e.Header("If-None-Match") == etag) await e.RawAsync(304, [("ETag", etag)], []);
            else await e.RespondAsync(200, answer, ("ETag", etag));
        }
        else if (e.Method == "POST" && path == DeviceProtocolPaths.Reports(id))
        {
            var signed = SignedVersionReport.Parse(e.Body);
            if (_deviceKey is not { } key || !key.Verify(DeviceSigningInputs.Report(id, signed.Payload), signed.Signature)) { await e.RespondAsync(400); return; }
            var report = VersionReport.Parse(signed.Payload);
            lock (_gate)
            {
                Reports.Enqueue(report);
                Publish(report.Nonce);
            }
            await e.RespondAsync(200, new ReportAnswer(report.Nonce).ToJson());
        }
        else if (e.Method == "GET" && path.StartsWith($"/api/v1/devices/{id}/director/", StringComparison.Ordinal))
        {
            byte[]? file;
            lock (_gate) file = _world.Director.Source[path[(path.LastIndexOf('/') + 1)..]];
            await File(e, file);
        }
        else if (e.Method == "GET" && path.StartsWith("/tuf/metadata/", StringComparison.Ordinal))
        {
            byte[]? file;
            lock (_gate) file = _world.Repository.Source[path["/tuf/metadata/".Length..]];
            await File(e, file);
        }
        else if (e.Method == "GET" && path.StartsWith("/bundles/sha256/", StringComparison.Ordinal))
        {
            if (!_bundles.TryGetValue(path["/bundles/sha256/".Length..], out var bundle)) { await e.RespondAsync(404); return; }
            if (e.RangeStart is { } from) await e.RespondAsync(206, bundle[(int)from..], ("Content-Range", $"bytes {from}-{bundle.Length - 1}/{bundle.Length}"));
            else await e.RespondAsync(200, bundle);
        }
        else
        {
            await e.RespondAsync(404);
        }
    }

    private static Task File(HttpExchange e, byte[]? bytes) => bytes is null ? e.RespondAsync(404) : e.RespondAsync(200, bytes);

    public ValueTask DisposeAsync() => _http.DisposeAsync();
}
