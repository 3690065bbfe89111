using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using AtymSecure.Formats.DeviceProtocol;

namespace AtymSecure.OtaServer.Tests.Infrastructure;

/// <summary>
/// A device as the protocol sees it: its own P-256 identity key (made here, as <c>atym device init</c> does), and the
/// requests it sends, built with the same formats/DeviceProtocol types the agent uses, against a real server.
/// </summary>
public sealed class TestDevice : IDisposable
{
    public const string Origin = "http://localhost:80";

    private OtaTestServer _server;

    /// <summary>Moves the device to another replica (same store): its key and session go with it.</summary>
    public TestDevice Via(OtaTestServer server)
    {
        _server = server ?? throw new ArgumentNullException(nameof(server));
        return this;
    }

    public TestDevice(OtaTestServer server, ECDsa? key = null)
    {
        _server = server;
        Key = key ?? ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Id = DeviceKey.DeviceIdOf(Key.ExportSubjectPublicKeyInfo());
    }

    public ECDsa Key { get; private set; }

    public string Id { get; set; }

    public string? Session { get; set; }

    public byte[] Sign(byte[] data) => Key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    public EnrollmentRequest EnrollmentRequest(string? token = null)
    {
        var unsigned = new EnrollmentRequest(Id, Key.ExportSubjectPublicKeyInfo(), "linux-x86_64", "host",
            [new PartitionEntry("sensor-filter", 1 << 20)], "0.1.0", token, []);
        return unsigned.WithSignature(Sign(unsigned.SignedBytes()));
    }

    public Task<HttpResponseMessage> EnrollAsync(string? token = null) => PostAsync(DeviceProtocolPaths.Enroll, EnrollmentRequest(token).ToJson(), session: false);

    public async Task<ChallengeAnswer> ChallengeAsync()
    {
        var response = await PostAsync(DeviceProtocolPaths.Challenge(Id), null, session: false).ConfigureAwait(false);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
        return ChallengeAnswer.Parse(await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false));
    }

    public SessionRequest SessionRequest(byte[] challenge, string origin = Origin) =>
        new(challenge, Sign(DeviceSigningInputs.Challenge(challenge, Id, origin)));

    public Task<HttpResponseMessage> SessionAsync(SessionRequest request) => PostAsync(DeviceProtocolPaths.Session(Id), request.ToJson(), session: false);

    /// <summary>Challenge, sign, session: <see cref="Session"/> holds the token afterwards.</summary>
    public async Task<string> AuthenticateAsync()
    {
        var challenge = await ChallengeAsync().ConfigureAwait(false);
        var response = await SessionAsync(SessionRequest(challenge.Challenge)).ConfigureAwait(false);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
        Session = SessionAnswer.Parse(await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false)).Token;
        return Session;
    }

    /// <summary>Enrols with a fresh enrolment token and authenticates.</summary>
    public async Task<TestDevice> ReadyAsync(string? enrollmentToken = null)
    {
        var response = await EnrollAsync(enrollmentToken ?? await _server.CreateEnrollmentTokenAsync().ConfigureAwait(false)).ConfigureAwait(false);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
        await AuthenticateAsync().ConfigureAwait(false);
        return this;
    }

    public Task<HttpResponseMessage> PollAsync(string? etag = null, string? asDevice = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(DeviceProtocolPaths.Poll(asDevice ?? Id), UriKind.Relative));
        if (Session is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Session);
        if (etag is not null) request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Parse(etag));
        return _server.Client.SendAsync(request);
    }

    /// <summary>A GET of a device path with this device's session (director files).</summary>
    public Task<HttpResponseMessage> GetAsync(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (Session is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Session);
        return _server.Client.SendAsync(request);
    }

    public VersionReport Report(string nonce, TrialReport? lastTrial = null) => new(Id, nonce, 1_764_547_200, "development", "0.1.0",
        [new ContainerReport("sensor-filter", new SlotReport("a", "1.0.0", "sha256:" + new string('a', 64), 65536), null, 0, null, lastTrial)], 3, null);

    public SignedVersionReport Signed(VersionReport report) => SignedVersionReport.Create(report, Sign);

    public Task<HttpResponseMessage> ReportAsync(SignedVersionReport report, string? asDevice = null) =>
        PostAsync(DeviceProtocolPaths.Reports(asDevice ?? Id), report.ToJson(), session: true);

    public static string NewNonce() => ProtocolJson.Base64Url(RandomNumberGenerator.GetBytes(32));

    public Task<HttpResponseMessage> PostAsync(string path, byte[]? body, bool session)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative));
        if (body is not null) request.Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
        if (session && Session is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Session);
        return _server.Client.SendAsync(request);
    }

    /// <summary>Replaces the key this device signs with (after a rotation).</summary>
    public void UseKey(ECDsa key) => Key = key;

    public void Dispose() => Key.Dispose();
}
