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

    private static Gen<byte[]> Bodies(byte[] valid)
    {
        var structural = "{}[]\":,0-e.\\ntfu\u00ff"u8.ToArray();
        var mutated = Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Int[0, structural.Length - 1], Gen.Int[0, 2]).Array[1, 4].Select(edits =>
        {
            var copy = (byte[])valid.Clone();
            foreach (var (at, with, kind) in edits)
            {
                if (at >= copy.Length) continue;
                if (kind == 0) copy[at] = structural[with];
                else if (kind == 1) copy = [.. copy[..at], .. copy[Math.Min(copy.Length, at + 1 + with)..]];
                else copy = [.. copy[..at], structural[with], .. copy[at..]];
            }
            return copy;
        });
        var text = Encoding.UTF8.GetString(valid);
        var retyped = Gen.OneOf<string>("1", "\"x\"", "null", "[]", "{}", "true", "-1", "99999999999999999999", "1.5").Select(v =>
            Encoding.UTF8.GetBytes(System.Text.RegularExpressions.Regex.Replace(text, "(?<=\":)(\"[^\"]*\"|\\d+|\\[[^\\]]*\\])", v, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1))));
        var unknown = Gen.String[Gen.Char["abcxyz_"], 1, 8].Select(name => Encoding.UTF8.GetBytes(text.Insert(1, $"\"{name}q\":1,")));
        var huge = Gen.Int[1, 3].Select(n => Encoding.UTF8.GetBytes(text.Insert(1, $"\"pad\":\"{new string('a', n * 700_000)}\",")));
        return Gen.Frequency((4, mutated), (2, retyped), (2, unknown), (1, huge), (1, Gen.Byte.Array[0, 200]), (1, Gen.Const(Array.Empty<byte>())));
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
        Bodies(valid).Sample(body =>
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
