using System.Net;
using System.Text.Json;

namespace AtymSecure.Cli.Tests.Ota;

/// <summary>
/// <c>atym ota ddi target create|token|show</c> and <c>atym ota ddi gateway-token</c> against a real OTA server with
/// DDI on, over loopback: the token a verb prints is the one the DDI base poll accepts (200) and a replaced or wrong one
/// is refused (401); every refusal of the server prints its problem on stderr with exit 1 and nothing on stdout.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class DdiVerbsTests : IClassFixture<LoopbackDdiServer>
{
    private readonly LoopbackDdiServer _ota;

    public DdiVerbsTests(LoopbackDdiServer ota) => _ota = ota;

    [Fact]
    public async Task Target_create_prints_a_TargetToken_the_base_poll_accepts_and_a_wrong_one_is_401()
    {
        var created = await LoopbackOtaServer.Ok(_ota.Server("ota", "ddi", "target", "create", "gw-create-1", "--class", "linux-gateway", "--group", "lab"));
        var token = created.StdOut.Trim();
        Assert.StartsWith("created DDI target gw-create-1", created.StdErr.Replace("atym ota: ", ""), StringComparison.Ordinal);
        Assert.DoesNotContain(token, created.StdErr, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(token));

        Assert.Equal(HttpStatusCode.OK, await _ota.PollAsync("gw-create-1", "TargetToken", token));
        Assert.Equal(HttpStatusCode.Unauthorized, await _ota.PollAsync("gw-create-1", "TargetToken", token + "x"));
        Assert.Equal(HttpStatusCode.Unauthorized, await _ota.PollAsync("gw-create-1", "TargetToken", "not-a-token"));

        // A device's TargetToken is only good for its own controller id.
        var other = (await LoopbackOtaServer.Ok(_ota.Server("ota", "ddi", "target", "create", "gw-create-2"))).StdOut.Trim();
        Assert.Equal(HttpStatusCode.Unauthorized, await _ota.PollAsync("gw-create-1", "TargetToken", other));
        Assert.Equal(HttpStatusCode.OK, await _ota.PollAsync("gw-create-2", "TargetToken", other));
    }

    [Fact]
    public async Task Target_create_as_json_is_the_apis_answer_with_the_authorization_header_value()
    {
        var json = JsonDocument.Parse((await LoopbackOtaServer.Ok(_ota.Server("ota", "ddi", "target", "create", "gw-json-1", "--group", "eu", "--json"))).StdOut).RootElement;
        var token = json.GetProperty("token").GetString()!;
        Assert.Equal("TargetToken " + token, json.GetProperty("authorization").GetString());
        var target = json.GetProperty("target");
        Assert.Equal(("gw-json-1", "linux-gateway", true), (target.GetProperty("controllerId").GetString(), target.GetProperty("deviceClass").GetString(), target.GetProperty("hasTargetToken").GetBoolean()));
        Assert.Equal("[\"eu\"]", target.GetProperty("groups").GetRawText());
        Assert.Equal(HttpStatusCode.OK, await _ota.PollAsync("gw-json-1", "TargetToken", token));
    }

    [Fact]
    public async Task Target_token_replaces_the_old_TargetToken()
    {
        var first = (await LoopbackOtaServer.Ok(_ota.Server("ota", "ddi", "target", "create", "gw-rotate-1"))).StdOut.Trim();
        var renewed = await LoopbackOtaServer.Ok(_ota.Server("ota", "ddi", "target", "token", "gw-rotate-1"));
        var second = renewed.StdOut.Trim();
        Assert.Contains("new TargetToken for gw-rotate-1", renewed.StdErr, StringComparison.Ordinal);
        Assert.NotEqual(first, second);

        Assert.Equal(HttpStatusCode.Unauthorized, await _ota.PollAsync("gw-rotate-1", "TargetToken", first));
        Assert.Equal(HttpStatusCode.OK, await _ota.PollAsync("gw-rotate-1", "TargetToken", second));
    }

    [Fact]
    public async Task Target_show_prints_the_target_without_its_token()
    {
        var token = (await LoopbackOtaServer.Ok(_ota.Server("ota", "ddi", "target", "create", "gw-show-1", "--class", "linux-arm64", "--group", "a", "--group", "b"))).StdOut.Trim();
        var shown = await LoopbackOtaServer.Ok(_ota.Server("ota", "ddi", "target", "show", "gw-show-1"));
        Assert.DoesNotContain(token, shown.StdOut, StringComparison.Ordinal);
        var view = JsonDocument.Parse(shown.StdOut).RootElement;
        Assert.Equal(("gw-show-1", "linux-arm64", true), (view.GetProperty("controllerId").GetString(), view.GetProperty("deviceClass").GetString(), view.GetProperty("hasTargetToken").GetBoolean()));
        Assert.Equal("[\"a\",\"b\"]", view.GetProperty("groups").GetRawText());
        Assert.Equal(0, view.GetProperty("actions").GetArrayLength());
        Assert.False(view.TryGetProperty("token", out _));
    }

    [Fact]
    public async Task Gateway_token_lets_any_controller_in_and_a_new_one_replaces_it()
    {
        var made = await LoopbackOtaServer.Ok(_ota.Server("ota", "ddi", "gateway-token"));
        var first = made.StdOut.Trim();
        Assert.Contains("new GatewayToken for tenant DEFAULT", made.StdErr, StringComparison.Ordinal);

        // hawkBit's auto-registration: an unknown controller polling with the gateway token becomes a target.
        Assert.Equal(HttpStatusCode.OK, await _ota.PollAsync("gw-auto-1", "GatewayToken", first));
        var registered = JsonDocument.Parse((await LoopbackOtaServer.Ok(_ota.Server("ota", "ddi", "target", "show", "gw-auto-1"))).StdOut).RootElement;
        Assert.Equal(("linux-gateway", false), (registered.GetProperty("deviceClass").GetString(), registered.GetProperty("hasTargetToken").GetBoolean()));
        Assert.Equal("gateway-token", registered.GetProperty("createdBy").GetString());

        var rotated = JsonDocument.Parse((await LoopbackOtaServer.Ok(_ota.Server("ota", "ddi", "gateway-token", "--json"))).StdOut).RootElement;
        var second = rotated.GetProperty("token").GetString()!;
        Assert.Equal("GatewayToken " + second, rotated.GetProperty("authorization").GetString());
        Assert.Equal("DEFAULT", rotated.GetProperty("tenant").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, await _ota.PollAsync("gw-auto-1", "GatewayToken", first));
        Assert.Equal(HttpStatusCode.OK, await _ota.PollAsync("gw-auto-1", "GatewayToken", second));
        // A gateway token is not a TargetToken.
        Assert.Equal(HttpStatusCode.Unauthorized, await _ota.PollAsync("gw-auto-1", "TargetToken", second));
    }

    [Fact]
    public async Task The_servers_refusals_print_its_problem_with_exit_1()
    {
        await LoopbackOtaServer.Ok(_ota.Server("ota", "ddi", "target", "create", "gw-twice-1"));
        var twice = await CliRunner.RunAsync(_ota.Server("ota", "ddi", "target", "create", "gw-twice-1"));
        AssertRefused(twice, "(409 ddi-target-exists at $.controllerId)", "a device 'gw-twice-1' exists");

        var badClass = await CliRunner.RunAsync(_ota.Server("ota", "ddi", "target", "create", "gw-bad-class", "--class", "Not A Class"));
        AssertRefused(badClass, "(400 invalid-field at $.deviceClass)", "not a device class name");

        var badId = await CliRunner.RunAsync(_ota.Server("ota", "ddi", "target", "create", "no/slashes"));
        AssertRefused(badId, "(400 invalid-field at $.controllerId)", "a controller id is 1-128 of [A-Za-z0-9._:-]");

        var unknownToken = await CliRunner.RunAsync(_ota.Server("ota", "ddi", "target", "token", "gw-nobody"));
        AssertRefused(unknownToken, "(404 ddi-not-found at controllerId)", "no DDI target 'gw-nobody'");

        var unknownShow = await CliRunner.RunAsync(_ota.Server("ota", "ddi", "target", "show", "gw-nobody"));
        AssertRefused(unknownShow, "(404 ddi-not-found at controllerId)", "no DDI target 'gw-nobody'");

        var wrongAdmin = await CliRunner.RunAsync(["ota", "ddi", "gateway-token", "--server", _ota.Url, "--token", "ota_not_a_token"]);
        Assert.Equal(1, wrongAdmin.ExitCode);
        Assert.StartsWith("atym ota: ", wrongAdmin.StdErr, StringComparison.Ordinal);
        Assert.Contains("(401 ", wrongAdmin.StdErr, StringComparison.Ordinal);
        Assert.Equal("", wrongAdmin.StdOut);
    }

    private static void AssertRefused(CliRunner.Result run, string codeAndPath, string detail)
    {
        Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}: {run.StdErr}{run.StdOut}");
        Assert.StartsWith("atym ota: ", run.StdErr, StringComparison.Ordinal);
        Assert.Contains(detail + " " + codeAndPath, run.StdErr, StringComparison.Ordinal);
        Assert.Equal("", run.StdOut);
    }
}
