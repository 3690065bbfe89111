using System.Net;
using System.Text;
using AtymSecure.Formats.DeviceProtocol.Ddi;
using AtymSecure.OtaServer.Tests.Fuzz;
using AtymSecure.OtaStore;
using CsCheck;

namespace AtymSecure.OtaServer.Tests.Ddi;

/// <summary>
/// Bad input on the DDI endpoints (issue 18 §3), over real loopback HTTP: malformed feedback 400, an oversized body 413,
/// unknown actions 404, another controller's action 404 without its data, a closed action 410, a wrong token 401 — and
/// nothing stored by any refusal. Then a CsCheck fuzz over every DDI route (paths, methods, headers, bodies) that never
/// gets a 5xx.
/// </summary>
public class DdiBadInputTests : IAsyncLifetime
{
    private DdiHost _host = null!;
    private string _token = "";
    private string _otherToken = "";
    private string _actionId = "";

    public async Task InitializeAsync()
    {
        _host = await DdiHost.StartAsync();
        _token = await _host.CreateTargetAsync("gw-1", "eu");
        _otherToken = await _host.CreateTargetAsync("gw-2", "us");
        await _host.DeployAsync();
        using var client = _host.Client(_token);
        var href = (await DdiHost.PollAsync(client, "gw-1")).Links!.DeploymentBase!.Href;
        _actionId = DdiJson.ReadDeploymentBase(await client.GetByteArrayAsync(href)).Id;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private string Feedback(string controller = "gw-1", string? action = null) =>
        DdiPaths.DeploymentFeedback(DdiHost.Tenant, controller, action ?? _actionId).TrimStart('/');

    private (long Sequence, int Messages) Stored() =>
        (_host.Service<IDdiStore>().FindTarget("gw-1")!.FeedbackSequence, _host.Service<IDdiStore>().FindAction(long.Parse(_actionId, System.Globalization.CultureInfo.InvariantCulture))!.Messages.Count);

    [Theory]
    [InlineData("""{"status":{"execution":"downloading","result":{"finished":"none"}}}""")]
    [InlineData("""{"status":{"execution":"closed","result":{"finished":"none"}}}""")]
    [InlineData("""{"status":{"execution":"closed"}}""")]
    [InlineData("""{"status":{"execution":"closed","execution":"proceeding","result":{"finished":"success"}}}""")]
    [InlineData("""not json""")]
    [InlineData("")]
    public async Task Malformed_feedback_is_400_and_stores_nothing(string body)
    {
        using var client = _host.Client(_token);
        var before = Stored();
        var answer = await client.PostAsync(Feedback(), DdiHost.Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, Stored());
    }

    [Fact]
    public async Task An_oversized_body_is_413_and_stores_nothing()
    {
        using var client = _host.Client(_token);
        var before = Stored();
        var details = string.Join(",", Enumerable.Repeat("\"" + new string('x', 1000) + "\"", 70));
        var answer = await client.PostAsync(Feedback(), DdiHost.Json("""{"status":{"execution":"proceeding","result":{"finished":"none"},"details":[""" + details + "]}}"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.PutAsync(DdiHost.Base("gw-1") + "/configData", DdiHost.Json(new string(' ', DdiConfigData.MaxBytes + 1)))).StatusCode);
        Assert.Equal(before, Stored());
    }

    [Fact]
    public async Task Unknown_and_foreign_actions_are_404_without_their_data()
    {
        using var other = _host.Client(_otherToken);
        foreach (var path in new[] { $"{DdiHost.Base("gw-2")}/deploymentBase/{_actionId}", $"{DdiHost.Base("gw-2")}/cancelAction/{_actionId}",
                     $"{DdiHost.Base("gw-2")}/softwaremodules/{_actionId}/artifacts/{_host.Artifacts.File.FileName}", $"{DdiHost.Base("gw-2")}/deploymentBase/999999",
                     $"{DdiHost.Base("gw-2")}/deploymentBase/-1", $"{DdiHost.Base("gw-2")}/installedBase/{_actionId}" })
        {
            var answer = await other.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
            var text = await answer.Content.ReadAsStringAsync();
            Assert.DoesNotContain("chunks", text, StringComparison.Ordinal);
            Assert.DoesNotContain("\"2.0.0\"", text, StringComparison.Ordinal);
            Assert.DoesNotContain(_host.Artifacts.File.Sha256, text, StringComparison.Ordinal);
            Assert.DoesNotContain(_host.Artifacts.File.Md5, text, StringComparison.Ordinal);
        }
        var before = Stored();
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync(Feedback("gw-2"), DdiHost.Feedback("closed", "failure"))).StatusCode);
        // gw-2's token on gw-1's path is not gw-1's token.
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.PostAsync(Feedback(), DdiHost.Feedback("closed", "failure"))).StatusCode);
        Assert.Equal(before, Stored());
    }

    [Fact]
    public async Task Feedback_on_a_closed_action_is_410_and_stores_nothing()
    {
        using var client = _host.Client(_token);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(Feedback(), DdiHost.Feedback("closed", "success"))).StatusCode);
        var before = Stored();
        var gone = await client.PostAsync(Feedback(), DdiHost.Feedback("proceeding", "none"));
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Equal("application/problem+json", gone.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, Stored());
    }

    private static readonly string[] Routes =
    [
        "", "/deploymentBase/{a}", "/deploymentBase/{a}/feedback", "/installedBase/{a}", "/cancelAction/{a}", "/cancelAction/{a}/feedback",
        "/configData", "/softwaremodules/{a}/artifacts/sensor-filter-2.0.0.bundle", "/softwaremodules/{a}/artifacts/sensor-filter-2.0.0.bundle.MD5SUM",
    ];

    private static readonly string[] Methods = ["GET", "GET", "POST", "PUT", "DELETE", "HEAD"];

    [Fact]
    public async Task Fuzzed_requests_on_every_ddi_route_never_get_a_5xx()
    {
        var feedback = Encoding.UTF8.GetBytes("""{"status":{"execution":"proceeding","result":{"finished":"none","progress":{"cnt":1,"of":3}},"details":["x"]}}""");
        var config = Encoding.UTF8.GetBytes("""{"mode":"merge","data":{"board":"rpi4"}}""");
        var ids = Gen.OneOf<string>(_actionId, "0", "1", "99999999999999999999", "-3", "abc", "%2e%2e", "1.5", "");
        var controllers = Gen.OneOf<string>("gw-1", "gw-2", "GW-1", "unknown", "a%2Fb", "..", new string('x', 300));
        var tenants = Gen.OneOf<string>(DdiHost.Tenant, "default", "other", "x");
        var auth = Gen.OneOf<string>("TargetToken " + _token, "TargetToken " + _otherToken, "TargetToken", "", "GatewayToken " + _token, "TargetToken " + _token + "x", "garbage");
        var bodies = Gen.OneOf(JsonBodyMutations.Of(feedback), JsonBodyMutations.Of(config));
        var where = Gen.Select(tenants, controllers, Gen.Int[0, Routes.Length - 1], ids);
        var how = Gen.Select(Gen.Int[0, Methods.Length - 1], auth, bodies, Gen.Bool);
        // Half the cases keep a valid tenant, controller and token, so the fuzz reaches the handlers behind authentication.
        var envelope = Gen.Bool;
        // CsCheck makes the cases; they are sent one by one over the loopback socket (HTTP is async, the sampler is not).
        var cases = new List<((string Tenant, string Controller, int Route, string Id) Where, (int Method, string Auth, byte[] Body, bool Json) How)>();
        Gen.Select(where, how, envelope).Sample(c => cases.Add(c.Item3
            ? ((DdiHost.Tenant, "gw-1", c.Item1.Item3, c.Item1.Item4), (c.Item2.Item1, "TargetToken " + _token, c.Item2.Item3, c.Item2.Item4))
            : (c.Item1, c.Item2)), iter: 300);
        // Fixed cases that must succeed, so a server that refused everything would not pass.
        cases.Add(((DdiHost.Tenant, "gw-1", 0, _actionId), (0, "TargetToken " + _token, [], true)));
        cases.Add(((DdiHost.Tenant, "gw-1", 2, _actionId), (2, "TargetToken " + _token, feedback, true)));
        var responses = new List<int>();
        using var client = new HttpClient { BaseAddress = new Uri(_host.Url + "/") };
        foreach (var ((tenant, controller, route, id), (method, token, body, json)) in cases)
        {
            using var request = new HttpRequestMessage(new HttpMethod(Methods[method]), $"{tenant}/controller/v1/{controller}{Routes[route].Replace("{a}", id, StringComparison.Ordinal)}");
            if (token.Length > 0) request.Headers.TryAddWithoutValidation("Authorization", token);
            if (Methods[method] is "POST" or "PUT") request.Content = new ByteArrayContent(body) { Headers = { ContentType = new(json ? "application/json" : "text/plain") } };
            // A body past every cap ends its connection (below): never reuse that connection for the next case.
            if (body.Length > DdiActionFeedback.MaxBytes) request.Headers.ConnectionClose = true;
            HttpResponseMessage answer;
            try
            {
                answer = await client.SendAsync(request);
            }
            catch (HttpRequestException e) when (body.Length > DdiActionFeedback.MaxBytes && request.Content is not null)
            {
                // Kestrel answers a refused body without reading it all and closes the connection; a client still
                // sending a body past every cap may see the close before the answer (the refusal stored nothing).
                responses.Add(-1);
                _ = e;
                continue;
            }
            using var _answer = answer;
            responses.Add((int)answer.StatusCode);
            Assert.True((int)answer.StatusCode < 500, $"{request.Method} {request.RequestUri} gave {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
        }
        Assert.Equal([200, 200], responses[^2..]);
        Assert.Null(_host.Service<IDdiStore>().FindTarget("unknown")); // a bad token never registers anyone
        Assert.Contains(responses, s => s == 401);
        Assert.Contains(responses, s => s == 404);
    }
}
