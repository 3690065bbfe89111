using System.Net;
using System.Text.Json;
using AtymSecure.OtaServer.Tests.Infrastructure;

namespace AtymSecure.OtaServer.Tests.Endpoints;

/// <summary>
/// Groups and tags (issue 12 §2): set by operators, read back, the <c>?group=</c> filter, and group-scoped tokens
/// (trust model §8) that see and change only devices of their groups.
/// </summary>
public class InventoryEndpointTests
{
    private static string[] Ids(JsonElement list) => [.. list.EnumerateArray().Select(d => d.GetProperty("id").GetString()!).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Groups_and_tags_set_by_operators_are_read_back_and_the_group_filter_lists_only_that_group()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var eu = await new TestDevice(server).ReadyAsync();
        using var lab = await new TestDevice(server).ReadyAsync();
        using var none = await new TestDevice(server).ReadyAsync();

        var grouped = await (await server.SendAsync(HttpMethod.Put, $"/api/v1/devices/{eu.Id}/groups", server.AdminToken,
            new { groups = new[] { "eu-test", "canary", "eu-test" } })).JsonAsync();
        Assert.Equal(["canary", "eu-test"], grouped.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Put, $"/api/v1/devices/{lab.Id}/groups", server.AdminToken, new { groups = new[] { "lab" } })).StatusCode);
        var deployer = await server.CreateTokenAsync("deployer");
        var tagged = await server.SendAsync(HttpMethod.Put, $"/api/v1/devices/{eu.Id}/tags", deployer, new { tags = new Dictionary<string, string> { ["site"] = "berlin", ["rack"] = "r 12" } });
        Assert.Equal(HttpStatusCode.OK, tagged.StatusCode);

        var read = await (await server.SendAsync(HttpMethod.Get, $"/api/v1/devices/{eu.Id}", server.AdminToken)).JsonAsync();
        Assert.Equal(["canary", "eu-test"], read.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
        Assert.Equal("berlin", read.GetProperty("tags").GetProperty("site").GetString());
        Assert.Equal("r 12", read.GetProperty("tags").GetProperty("rack").GetString());

        Assert.Equal([eu.Id], Ids(await (await server.SendAsync(HttpMethod.Get, "/api/v1/devices?group=eu-test", server.AdminToken)).JsonAsync()));
        Assert.Equal([lab.Id], Ids(await (await server.SendAsync(HttpMethod.Get, "/api/v1/devices?group=lab", server.AdminToken)).JsonAsync()));
        Assert.Empty(Ids(await (await server.SendAsync(HttpMethod.Get, "/api/v1/devices?group=nobody", server.AdminToken)).JsonAsync()));
        Assert.Equal(new[] { eu.Id, lab.Id, none.Id }.Order(StringComparer.Ordinal),
            Ids(await (await server.SendAsync(HttpMethod.Get, "/api/v1/devices", server.AdminToken)).JsonAsync()));

        // Replacing the tags replaces them all; an empty group list takes the device out of every group.
        await server.SendAsync(HttpMethod.Put, $"/api/v1/devices/{eu.Id}/tags", deployer, new { tags = new Dictionary<string, string> { ["site"] = "paris" } });
        await server.SendAsync(HttpMethod.Put, $"/api/v1/devices/{lab.Id}/groups", server.AdminToken, new { groups = Array.Empty<string>() });
        var reread = await (await server.SendAsync(HttpMethod.Get, $"/api/v1/devices/{eu.Id}", server.AdminToken)).JsonAsync();
        Assert.Equal("{\"site\":\"paris\"}", reread.GetProperty("tags").GetRawText());
        Assert.Empty(Ids(await (await server.SendAsync(HttpMethod.Get, "/api/v1/devices?group=lab", server.AdminToken)).JsonAsync()));
    }

    [Fact]
    public async Task A_scoped_token_sees_and_tags_only_its_groups_devices_and_gets_403_for_the_others()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var eu = await new TestDevice(server).ReadyAsync(await server.CreateEnrollmentTokenAsync(groups: ["eu-test"]));
        using var lab = await new TestDevice(server).ReadyAsync(await server.CreateEnrollmentTokenAsync(groups: ["lab"]));
        using var none = await new TestDevice(server).ReadyAsync();
        var viewer = await server.CreateTokenAsync("viewer", ["eu-test"]);
        var deployer = await server.CreateTokenAsync("deployer", ["eu-test"]);

        Assert.Equal([eu.Id], Ids(await (await server.SendAsync(HttpMethod.Get, "/api/v1/devices", viewer)).JsonAsync()));
        Assert.Equal([eu.Id], Ids(await (await server.SendAsync(HttpMethod.Get, "/api/v1/devices?group=eu-test", viewer)).JsonAsync()));
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Get, $"/api/v1/devices/{eu.Id}", viewer)).StatusCode);
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Get, "/api/v1/devices?group=lab", viewer), HttpStatusCode.Forbidden, "out-of-scope");
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Get, $"/api/v1/devices/{lab.Id}", viewer), HttpStatusCode.Forbidden, "out-of-scope", "id");
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Get, $"/api/v1/devices/{none.Id}", viewer), HttpStatusCode.Forbidden, "out-of-scope", "id");

        var tags = new { tags = new Dictionary<string, string> { ["site"] = "berlin" } };
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Put, $"/api/v1/devices/{eu.Id}/tags", deployer, tags)).StatusCode);
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Put, $"/api/v1/devices/{lab.Id}/tags", deployer, tags), HttpStatusCode.Forbidden, "out-of-scope");
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Put, $"/api/v1/devices/{eu.Id}/tags", viewer, tags), HttpStatusCode.Forbidden, "forbidden");
        // Groups decide scopes, so only an admin sets them: a scoped deployer cannot move a device into its reach.
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Put, $"/api/v1/devices/{lab.Id}/groups", deployer, new { groups = new[] { "eu-test" } }),
            HttpStatusCode.Forbidden, "forbidden");

        var labNow = await (await server.SendAsync(HttpMethod.Get, $"/api/v1/devices/{lab.Id}", server.AdminToken)).JsonAsync();
        Assert.Equal(["lab"], labNow.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
        Assert.Equal("{}", labNow.GetProperty("tags").GetRawText());
        var audit = await server.AuditEntriesAsync("device.tags");
        Assert.Equal($"device/{eu.Id}", Assert.Single(audit).GetProperty("subject").GetString());
    }

    [Fact]
    public async Task A_full_page_links_to_the_next_after_its_last_record_even_when_the_scope_hides_it_and_the_last_page_has_no_link()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var eu1 = await new TestDevice(server).ReadyAsync(await server.CreateEnrollmentTokenAsync(groups: ["eu-test"]));
        using var lab = await new TestDevice(server).ReadyAsync(await server.CreateEnrollmentTokenAsync(groups: ["lab"]));
        using var eu2 = await new TestDevice(server).ReadyAsync(await server.CreateEnrollmentTokenAsync(groups: ["eu-test"]));
        var ordered = new[] { eu1.Id, lab.Id, eu2.Id }.Order(StringComparer.Ordinal).ToArray();

        // The admin pages through all three, two at a time.
        var first = await server.SendAsync(HttpMethod.Get, "/api/v1/devices?limit=2", server.AdminToken);
        Assert.Equal(ordered[..2], Ids(await first.JsonAsync()));
        var link = Assert.Single(first.Headers.GetValues("Link"));
        Assert.Equal($"</api/v1/devices?after={ordered[1]}&limit=2>; rel=\"next\"", link);
        var second = await server.SendAsync(HttpMethod.Get, link[1..link.IndexOf('>')], server.AdminToken);
        Assert.Equal(ordered[2..], Ids(await second.JsonAsync()));
        Assert.False(second.Headers.Contains("Link"), "the last page links nowhere");

        // A viewer of eu-test reads pages of one: the lab device's page is empty, yet links on, so eu2 is still reached.
        var viewer = await server.CreateTokenAsync("viewer", ["eu-test"]);
        var seen = new List<string>();
        string? next = "/api/v1/devices?limit=1";
        for (var pages = 0; next is not null; pages++)
        {
            Assert.True(pages < 5, "the links end");
            var page = await server.SendAsync(HttpMethod.Get, next, viewer);
            seen.AddRange(Ids(await page.JsonAsync()));
            next = page.Headers.TryGetValues("Link", out var l) ? l.Single()[1..l.Single().IndexOf('>')] : null;
        }
        Assert.Equal(new[] { eu1.Id, eu2.Id }.Order(StringComparer.Ordinal), seen);
    }

    [Theory]
    [InlineData("groups", "{\"groups\":[\"EU\"]}", "invalid-field", "$.groups[0]")]
    [InlineData("groups", "{\"groups\":\"eu\"}", "malformed-json", "$.groups")]
    [InlineData("tags", "{\"tags\":{\"Site\":\"x\"}}", "invalid-field", "$.tags.Site")]
    [InlineData("tags", "{\"tags\":{\"site\":\"\"}}", "invalid-field", "$.tags.site")]
    [InlineData("tags", "{\"tags\":{\"site\":\"a\\u0007b\"}}", "invalid-field", "$.tags.site")]
    public async Task A_bad_group_or_tag_is_a_400_naming_it_and_the_device_is_unchanged(string what, string body, string code, string path)
    {
        await using var server = await OtaTestServer.StartAsync();
        using var device = await new TestDevice(server).ReadyAsync(await server.CreateEnrollmentTokenAsync(groups: ["lab"]));
        var before = await (await server.SendAsync(HttpMethod.Get, $"/api/v1/devices/{device.Id}", server.AdminToken)).JsonAsync();
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Put, $"/api/v1/devices/{device.Id}/{what}", server.AdminToken, body),
            HttpStatusCode.BadRequest, code, path);
        var after = await (await server.SendAsync(HttpMethod.Get, $"/api/v1/devices/{device.Id}", server.AdminToken)).JsonAsync();
        Assert.Equal(before.GetRawText(), after.GetRawText());
        Assert.Empty(await server.AuditEntriesAsync("device." + what));
    }
}
