using System.Net;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaServer.Tests.Tls;

/// <summary>HTTPS from a configured certificate (Kestrel, issue 12 §1) with a script-made test CA: a device enrols, authenticates and polls over TLS.</summary>
[Trait("Requires", "openssl")]
public class TlsTests
{
    [Fact]
    public async Task A_device_enrols_authenticates_and_polls_over_https_signing_the_https_origin()
    {
        using var ca = await TestCa.MakeAsync();
        using var data = TempFolder.Create("ota-tls-data");
        var app = OtaServerHost.Build(new OtaServerOptions
        {
            DataDirectory = data.Path, ListenUrl = "https://127.0.0.1:0", CertificatePath = ca.CertificatePath, CertificateKeyPath = ca.KeyPath,
        });
        await using (app)
        {
            await app.StartAsync();
            var address = OtaServerHost.ListeningAddress(app);
            Assert.Equal("https", address.Scheme);
            using var handler = ca.TrustingHandler();
            using var http = new HttpClient(handler) { BaseAddress = address };
            var admin = app.Services.GetRequiredService<AtymSecure.OtaServer.Auth.AdminTokenBootstrap>().CreatedText!;
            var server = new TlsClient(http, admin);
            var enrollment = await server.EnrollmentTokenAsync();
            using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            var id = DeviceKey.DeviceIdOf(key.ExportSubjectPublicKeyInfo());
            byte[] Sign(byte[] d) => key.SignData(d, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.DSASignatureFormat.Rfc3279DerSequence);
            var unsigned = new EnrollmentRequest(id, key.ExportSubjectPublicKeyInfo(), "linux-x86_64", "host", [new PartitionEntry("app", 65536)], "0.1.0", enrollment, []);
            Assert.Equal(HttpStatusCode.Created, (await server.PostAsync(DeviceProtocolPaths.Enroll, unsigned.WithSignature(Sign(unsigned.SignedBytes())).ToJson())).StatusCode);
            var challenge = ChallengeAnswer.Parse(await (await server.PostAsync(DeviceProtocolPaths.Challenge(id), null)).Content.ReadAsByteArrayAsync());
            var origin = DeviceSigningInputs.Origin(address);
            Assert.StartsWith("https://127.0.0.1:", origin, StringComparison.Ordinal);
            var session = await server.PostAsync(DeviceProtocolPaths.Session(id), new SessionRequest(challenge.Challenge, Sign(DeviceSigningInputs.Challenge(challenge.Challenge, id, origin))).ToJson());
            Assert.Equal(HttpStatusCode.OK, session.StatusCode);
            var token = SessionAnswer.Parse(await session.Content.ReadAsByteArrayAsync()).Token;
            using var poll = new HttpRequestMessage(HttpMethod.Get, new Uri(DeviceProtocolPaths.Poll(id), UriKind.Relative));
            poll.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(poll)).StatusCode);
        }
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_CA_cannot_connect()
    {
        using var ca = await TestCa.MakeAsync();
        using var data = TempFolder.Create("ota-tls-data");
        var app = OtaServerHost.Build(new OtaServerOptions
        {
            DataDirectory = data.Path, ListenUrl = "https://127.0.0.1:0", CertificatePath = ca.CertificatePath, CertificateKeyPath = ca.KeyPath,
        });
        await using (app)
        {
            await app.StartAsync();
            using var http = new HttpClient { BaseAddress = OtaServerHost.ListeningAddress(app) };
            await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri("/healthz", UriKind.Relative)));
        }
    }

    private sealed class TlsClient(HttpClient http, string admin)
    {
        public async Task<string> EnrollmentTokenAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/v1/enrollment-tokens", UriKind.Relative))
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { label = "tls" }),
            };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", admin);
            var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
        }

        public Task<HttpResponseMessage> PostAsync(string path, byte[]? body)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative));
            if (body is not null) request.Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } };
            return http.SendAsync(request);
        }
    }
}
