using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AtymSecure.OtaServer.Ddi;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaServer.Tests.Ddi;

/// <summary>hawkBit's controller authentication (TargetToken, GatewayToken, anonymous, each switchable) and configData,
/// over real loopback HTTP against the real host.</summary>
public class DdiAuthAndConfigTests
{
    [Fact]
    public async Task A_target_token_polls_its_own_target_only_and_is_stored_hashed()
    {
        await using var host = await DdiHost.StartAsync();
        var token = await host.CreateTargetAsync("gw-1", "eu");
        var other = await host.CreateTargetAsync("gw-2", "eu");
        using var client = host.Client(token);
        var polled = await DdiHost.PollAsync(client, "gw-1");
        Assert.NotNull(polled.Links?.ConfigData); // attributes are asked for until the first configData
        Assert.InRange(polled.Config.Polling.ToTimeSpan()!.Value, TimeSpan.FromSeconds(270), TimeSpan.FromSeconds(330)); // 5 min ± 10 % jitter
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(DdiHost.Base("gw-2"))).StatusCode);
        using var wrong = host.Client(other[..^2] + "xx");
        var refused = await wrong.GetAsync(DdiHost.Base("gw-2"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("TargetToken", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        using var none = host.Client(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await none.GetAsync(DdiHost.Base("gw-1"))).StatusCode);
        var stored = host.Service<IDdiStore>().FindTarget("gw-1")!;
        Assert.DoesNotContain(token.Split('_')[^1], stored.TokenSha256!, StringComparison.Ordinal);
        Assert.Equal(64, stored.TokenSha256!.Length);
        var device = host.Service<IDeviceStore>().Find("gw-1")!;
        Assert.Equal(("linux-gateway", "ddi"), (device.DeviceClass, device.Tags["protocol"]));
    }

    [Fact]
    public async Task The_gateway_token_registers_unknown_controllers_and_can_be_switched_off()
    {
        await using (var host = await DdiHost.StartAsync())
        {
            var gateway = await host.CreateGatewayTokenAsync();
            using var client = host.Client(gateway, "GatewayToken");
            await DdiHost.PollAsync(client, "edge-17");
            Assert.True(DdiTargetRegistry.IsDdiDevice(host.Service<IDeviceStore>().Find("edge-17")!));
            Assert.Equal("gateway-token", host.Service<IDdiStore>().FindTarget("edge-17")!.CreatedBy);
            // An atym device's id is not a DDI target: not found, and never registered over it.
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(DdiHost.Base("d00"))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("OTHER/controller/v1/edge-17")).StatusCode);
            using var stale = host.Client(gateway[..^1] + (gateway[^1] == 'A' ? "B" : "A"), "GatewayToken");
            Assert.Equal(HttpStatusCode.Unauthorized, (await stale.GetAsync(DdiHost.Base("edge-18"))).StatusCode);
            Assert.Null(host.Service<IDdiStore>().FindTarget("edge-18"));
        }
        await using (var off = await DdiHost.StartAsync(new DdiOptions { GatewayTokens = false }))
        {
            var gateway = await off.CreateGatewayTokenAsync();
            using var client = off.Client(gateway, "GatewayToken");
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(DdiHost.Base("edge-17"))).StatusCode);
        }
    }

    [Fact]
    public async Task Anonymous_access_is_off_by_default_and_lets_anyone_in_when_on()
    {
        await using var host = await DdiHost.StartAsync(new DdiOptions { Anonymous = true, TargetTokens = false, GatewayTokens = false });
        using var anyone = host.Client(null);
        await DdiHost.PollAsync(anyone, "lab-1");
        Assert.False(new DdiOptions().Anonymous);
        var token = await host.CreateTargetAsync("lab-2");
        using var withToken = host.Client(token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await withToken.GetAsync(DdiHost.Base("lab-2"))).StatusCode); // TargetToken switched off
    }

    [Fact]
    public async Task Config_data_merges_replaces_and_removes_attributes_and_sets_the_class()
    {
        await using var host = await DdiHost.StartAsync();
        var token = await host.CreateTargetAsync("gw-1");
        using var client = host.Client(token);
        var path = DdiHost.Base("gw-1") + "/configData";
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync(path, DdiHost.Json("""{"mode":"merge","data":{"board":"rpi4","hwRevision":"2"}}"""))).StatusCode);
        Assert.Null((await DdiHost.PollAsync(client, "gw-1")).Links?.ConfigData);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync(path, DdiHost.Json("""{"data":{"hwRevision":"3","device-class":"linux-arm64"}}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync(path, DdiHost.Json("""{"mode":"remove","data":{"board":""}}"""))).StatusCode);
        var stored = host.Service<IDdiStore>().FindTarget("gw-1")!;
        Assert.Equal(["device-class", "hwRevision"], stored.Attributes.Keys);
        Assert.Equal("3", stored.Attributes["hwRevision"]);
        Assert.Equal("linux-arm64", host.Service<IDeviceStore>().Find("gw-1")!.DeviceClass);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync(path, DdiHost.Json("""{"mode":"replace","data":{"only":"this"}}"""))).StatusCode);
        Assert.Equal(["only"], host.Service<IDdiStore>().FindTarget("gw-1")!.Attributes.Keys);
        // Refused whole: a bad class, too many attributes; nothing changes.
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PutAsync(path, DdiHost.Json("""{"data":{"device-class":"Bad Class"}}"""))).StatusCode);
        var many = string.Join(",", Enumerable.Range(0, 101).Select(i => $"\"k{i}\":\"v\""));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PutAsync(path, DdiHost.Json("{\"data\":{" + many + "}}"))).StatusCode);
        Assert.Equal(["only"], host.Service<IDdiStore>().FindTarget("gw-1")!.Attributes.Keys);
        var view = await host.Host.Client.GetFromJsonAsync<JsonElement>("/api/v1/ddi/targets/gw-1");
        Assert.Equal("this", view.GetProperty("attributes").GetProperty("only").GetString());
    }

    [Fact]
    public async Task The_base_poll_answers_304_to_its_etag()
    {
        await using var host = await DdiHost.StartAsync();
        using var client = host.Client(await host.CreateTargetAsync("gw-1"));
        var first = await client.GetAsync(DdiHost.Base("gw-1"));
        var etag = first.Headers.ETag!;
        using var again = new HttpRequestMessage(HttpMethod.Get, DdiHost.Base("gw-1"));
        again.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);
    }

    [Fact]
    public async Task A_ddi_target_cannot_open_an_atym_session()
    {
        await using var host = await DdiHost.StartAsync();
        await host.CreateTargetAsync("gw-1");
        using var client = host.Client(null);
        var challenge = await client.PostAsync("api/v1/devices/gw-1/challenge", null);
        Assert.Equal(HttpStatusCode.OK, challenge.StatusCode);
        var issued = AtymSecure.Formats.DeviceProtocol.ChallengeAnswer.Parse(await challenge.Content.ReadAsByteArrayAsync());
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new AtymSecure.Formats.DeviceProtocol.SessionRequest(issued.Challenge,
            key.SignData(issued.Challenge, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.DSASignatureFormat.Rfc3279DerSequence));
        var session = await client.PostAsync("api/v1/devices/gw-1/session", new ByteArrayContent(request.ToJson()) { Headers = { ContentType = new("application/json") } });
        Assert.Equal(HttpStatusCode.Unauthorized, session.StatusCode);
        Assert.Contains("no device key", await session.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
