using System.Net.Http.Headers;
using System.Text;
using AtymSecure.OtaServer.Tests.Infrastructure;
using AtymSecure.OtaStore;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaServer.Tests.Fuzz;

/// <summary>
/// Every endpoint that reads a body, fuzzed (issue 12 §6): malformed JSON, huge bodies, wrong types, unknown fields,
/// random bytes and mutations of a valid body. The answer is never a 5xx; a refusal is a 4xx problem+json and stores
/// nothing (the stores' counts do not move). Capped at a few hundred requests per endpoint to keep the suite fast.
/// </summary>
public class EndpointBodyFuzzTests : IAsyncLifetime
{
    private OtaTestServer _server = null!;
    private TestDevice _device = null!;

    public async Task InitializeAsync()
    {
        _server = await OtaTestServer.StartAsync(o => o with { DeviceRateLimit = 1_000_000 });
        _device = await new TestDevice(_server).ReadyAsync();
    }

    public async Task DisposeAsync()
    {
        _device.Dispose();
        await _server.DisposeAsync();
    }

    public static TheoryData<string> Endpoints => new()
    {
        "POST /api/v1/tokens", "POST /api/v1/enrollment-tokens", "POST /api/v1/preauthorized-keys", "PUT /api/v1/devices/{id}/groups",
        "PUT /api/v1/devices/{id}/tags", "POST /api/v1/devices/enroll", "POST /api/v1/devices/{id}/session", "POST /api/v1/devices/{id}/reports",
        "POST /api/v1/devices/{id}/key",
    };

    private string ValidBody(string endpoint) => endpoint switch
    {
        "POST /api/v1/tokens" => "{\"label\":\"ci\",\"role\":\"deployer\",\"groups\":[\"eu-test\"]}",
        "POST /api/v1/enrollment-tokens" => "{\"label\":\"line\",\"uses\":3,\"groups\":[\"lab\"]}",
        "POST /api/v1/preauthorized-keys" => "{\"publicKey\":\"" + Formats.DeviceProtocol.ProtocolJson.Base64Url(new TestDevice(_server).Key.ExportSubjectPublicKeyInfo()) + "\",\"label\":\"f\"}",
        "PUT /api/v1/devices/{id}/groups" => "{\"groups\":[\"eu-test\",\"lab\"]}",
        "PUT /api/v1/devices/{id}/tags" => "{\"tags\":{\"site\":\"berlin\"}}",
        "POST /api/v1/devices/enroll" => Encoding.UTF8.GetString(new TestDevice(_server).EnrollmentRequest().ToJson()),
        "POST /api/v1/devices/{id}/session" => Encoding.UTF8.GetString(_device.SessionRequest(new byte[32]).ToJson()),
        "POST /api/v1/devices/{id}/reports" => Encoding.UTF8.GetString(_device.Signed(_device.Report(TestDevice.NewNonce())).ToJson()),
        "POST /api/v1/devices/{id}/key" => Encoding.UTF8.GetString(new Formats.DeviceProtocol.KeyRotationRequest(_device.Key.ExportSubjectPublicKeyInfo(), new byte[70], new byte[70]).ToJson()),
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
    };

    private (long, long, long, long, int, long) Counts()
    {
        var s = _server.App.Services;
        return (s.GetRequiredService<IOperatorTokenStore>().List().Count, s.GetRequiredService<IEnrollmentTokenStore>().List().Count,
            s.GetRequiredService<IDeviceStore>().List(null, 10_000).Count, s.GetRequiredService<IDeviceReportStore>().Recent(_device.Id, 10_000).Count,
            s.GetRequiredService<IDeviceStore>().Find(_device.Id)!.GetHashCode(), s.GetRequiredService<IAuditLog>().Page(0, 1000).Entries.Count);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public void Bad_bodies_get_a_4xx_problem_and_store_nothing(string endpoint)
    {
        var (method, template) = (endpoint.Split(' ')[0], endpoint.Split(' ')[1]);
        var path = template.Replace("{id}", _device.Id, StringComparison.Ordinal);
        var operatorEndpoint = !path.StartsWith("/api/v1/devices/enroll", StringComparison.Ordinal) && !path.EndsWith("/session", StringComparison.Ordinal)
            && !path.EndsWith("/reports", StringComparison.Ordinal) && !path.EndsWith("/key", StringComparison.Ordinal);
        var valid = Encoding.UTF8.GetBytes(ValidBody(endpoint));
        JsonBodyMutations.Of(valid).Sample(body =>
        {
            var before = Counts();
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative))
            {
                Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", operatorEndpoint ? _server.AdminToken : _device.Session);
            using var response = _server.Client.SendAsync(request).GetAwaiter().GetResult();
            var status = (int)response.StatusCode;
            Assert.True(status < 500, $"{endpoint} answered {status} to {Encoding.UTF8.GetString(body[..Math.Min(body.Length, 300)])}");
            if (status >= 400)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal(before, Counts());
            }
        }, iter: 150, threads: 1);
    }
}
