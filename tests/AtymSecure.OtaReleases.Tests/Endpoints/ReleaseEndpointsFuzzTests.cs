using System.Net.Http.Headers;
using System.Text;
using AtymSecure.OtaReleases.Tests.Support;
using AtymSecure.OtaServer.Tests.Fuzz;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using CsCheck;

namespace AtymSecure.OtaReleases.Tests.Endpoints;

/// <summary>
/// <c>POST /api/v1/releases</c>, <c>POST /api/v1/assignments</c> and the query strings of their reads fuzzed over HTTP in
/// the real host (issue 12 §6; the OTA server's other endpoints have theirs in OtaServer.Tests): malformed JSON, huge
/// bodies, wrong types, unknown fields, random bytes. Never a 5xx; a refusal is problem+json with a problem type and
/// queues, assigns and audits nothing.
/// </summary>
public sealed class ReleaseEndpointsFuzzTests(ReleaseWorld world) : IClassFixture<ReleaseWorld>
{
    private const string DeviceId = "atym-00000000000000f1";

    private static (int Status, string Body, string? MediaType) Send(ReleaseHost host, HttpMethod method, string path, byte[]? body)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null) request.Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
        using var response = host.Client.SendAsync(request).GetAwaiter().GetResult();
        return ((int)response.StatusCode, response.Content.ReadAsStringAsync().GetAwaiter().GetResult(), response.Content.Headers.ContentType?.MediaType);
    }

    private static void IsTypedProblem((int Status, string Body, string? MediaType) answer, string what)
    {
        Assert.True(answer.Status is >= 400 and < 500, $"{what} answered {answer.Status}: {answer.Body}");
        Assert.Equal("application/problem+json", answer.MediaType);
        Assert.Contains("\"type\":\"https://atym.dev/problems/", answer.Body, StringComparison.Ordinal);
    }

    private static int AuditCount(ReleaseHost host) => host.Service<IAuditLog>().Page(0, 10_000).Entries.Count;

    [Fact]
    public async Task Bad_release_requests_get_a_4xx_problem_and_queue_nothing()
    {
        await using var host = await ReleaseHost.StartAsync(world);
        // A reference the registry does not hold: a mutation that stays a valid request queues a job that fails fast.
        var valid = Encoding.UTF8.GetBytes($"{{\"reference\":\"{world.Registry.Host}/samples/fuzz-nothing:1.0.0\",\"securityCounter\":2,\"deviceClasses\":[\"linux-x86_64\"]}}");
        JsonBodyMutations.Of(valid).Sample(body =>
        {
            // Every queued import writes its release.import entry in the same request, so an unchanged audit log means
            // nothing was queued (the unfinished-job count is no measure: earlier accepted jobs finish meanwhile).
            var audit = AuditCount(host);
            var answer = Send(host, HttpMethod.Post, "/api/v1/releases", body);
            if (answer.Status == 202) return; // still a valid request: queued and audited as any import
            IsTypedProblem(answer, "POST /api/v1/releases with " + Encoding.UTF8.GetString(body[..Math.Min(body.Length, 300)]));
            Assert.Equal(audit, AuditCount(host));
        }, iter: 150, threads: 1);
    }

    [Fact]
    public async Task Bad_assignment_requests_get_a_4xx_problem_and_assign_nothing()
    {
        await using var host = await ReleaseHost.StartAsync(world);
        var releaseId = await host.ImportAsync(world.SensorFilter("1.0.0"));
        Assert.True(host.Service<IDeviceStore>().TryAdd(new DeviceRecord(DeviceId, "AAAA", "fp", "linux-x86_64", "host",
            [new DevicePartition("sensor-filter", 1 << 20)], "1.0.0", DeviceState.Active, 0, [], EquatableMap<string>.Empty, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 0)));
        var valid = Encoding.UTF8.GetBytes($"{{\"releaseId\":\"{releaseId}\",\"deviceId\":\"{DeviceId}\"}}");
        var assignments = host.Service<IAssignmentStore>();
        JsonBodyMutations.Of(valid).Sample(body =>
        {
            var (audit, stored) = (AuditCount(host), assignments.ListAsync().GetAwaiter().GetResult());
            var answer = Send(host, HttpMethod.Post, "/api/v1/assignments", body);
            if (answer.Status == 200) return; // still the valid request: the same assignment again
            IsTypedProblem(answer, "POST /api/v1/assignments with " + Encoding.UTF8.GetString(body[..Math.Min(body.Length, 300)]));
            Assert.Equal(audit, AuditCount(host));
            Assert.Equal(stored, assignments.ListAsync().GetAwaiter().GetResult());
        }, iter: 150, threads: 1);
    }

    [Fact]
    public async Task Fuzzed_query_strings_of_the_release_assignment_and_job_reads_never_get_a_5xx()
    {
        await using var host = await ReleaseHost.StartAsync(world);
        var value = Gen.OneOf(Gen.String[Gen.Char.AlphaNumeric, 0, 30], Gen.String[Gen.Char[' ', '\u07ff'], 0, 20].Select(Uri.EscapeDataString),
            // No %00: the in-process TestServer refuses a NUL in the path before the host sees it (Kestrel answers it 400 itself).
            Gen.OneOf<string>("", "rel-0000000000000000", "%ZZ", "..%2F..%2Fetc", "%", "a&b", new string('x', 5000)));
        var path = Gen.Select(Gen.OneOf<string>("/api/v1/releases?container=", "/api/v1/assignments?deviceId=", "/api/v1/assignments?releaseId=",
            "/api/v1/releases/", "/api/v1/jobs/"), value).Select((prefix, v) => prefix + v);
        var audit = AuditCount(host);
        path.Sample(p =>
        {
            var answer = Send(host, HttpMethod.Get, p, null);
            if (answer.Status == 200) return;
            IsTypedProblem(answer, "GET " + p[..Math.Min(p.Length, 200)]);
        }, iter: 300, threads: 1);
        Assert.Equal(audit, AuditCount(host));
    }
}
