using System.Net;
using System.Text.Json;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Tests.Infrastructure;

namespace AtymSecure.OtaServer.Tests.Auth;

/// <summary>
/// The audit log (issue 12 §1): each operator change to devices, preauthorized keys and enrolment tokens is one entry
/// naming who (token id and label), what (action, subject), when (the server's clock) and the state before and after.
/// </summary>
public class OperatorAuditTests
{
    private static JsonElement Snapshot(JsonElement entry, string side) =>
        entry.GetProperty(side).ValueKind == JsonValueKind.Null ? entry.GetProperty(side) : JsonDocument.Parse(entry.GetProperty(side).GetString()!).RootElement.Clone();

    private static async Task<JsonElement> OnlyEntryAsync(OtaTestServer server, string action, string subject, string actorId, string actorLabel)
    {
        var entry = Assert.Single(await server.AuditEntriesAsync(action));
        Assert.Equal(subject, entry.GetProperty("subject").GetString());
        Assert.Equal(actorId, entry.GetProperty("actorId").GetString());
        Assert.Equal(actorLabel, entry.GetProperty("actorLabel").GetString());
        Assert.Equal(server.Clock.GetUtcNow(), entry.GetProperty("at").GetDateTimeOffset());
        return entry;
    }

    private static string TokenId(string token) => OperatorTokenText.TryParse(token, out var id, out _) ? id : throw new ArgumentException("not a token", nameof(token));

    [Fact]
    public async Task Approve_and_decommission_record_the_state_before_and_after()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var device = new TestDevice(server);
        Assert.Equal(HttpStatusCode.Accepted, (await device.EnrollAsync()).StatusCode);
        server.Clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Post, $"/api/v1/devices/{device.Id}/approve", server.AdminToken)).StatusCode);
        var approve = await OnlyEntryAsync(server, "device.approve", $"device/{device.Id}", TokenId(server.AdminToken!), "bootstrap admin");
        Assert.Equal("pending", Snapshot(approve, "before").GetProperty("state").GetString());
        Assert.Equal("active", Snapshot(approve, "after").GetProperty("state").GetString());
        Assert.Equal(device.Id, Snapshot(approve, "after").GetProperty("id").GetString());

        server.Clock.Advance(TimeSpan.FromMinutes(3));
        var admin = await server.CreateTokenAsync("admin");
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Post, $"/api/v1/devices/{device.Id}/decommission", admin)).StatusCode);
        var decommission = await OnlyEntryAsync(server, "device.decommission", $"device/{device.Id}", TokenId(admin), "admin token");
        Assert.Equal("active", Snapshot(decommission, "before").GetProperty("state").GetString());
        Assert.Equal("decommissioned", Snapshot(decommission, "after").GetProperty("state").GetString());

        // A refused change (decommissioning twice) writes nothing.
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Post, $"/api/v1/devices/{device.Id}/decommission", admin), HttpStatusCode.Conflict, "conflict");
        Assert.Single(await server.AuditEntriesAsync("device.decommission"));
    }

    [Fact]
    public async Task Groups_and_tags_changes_record_the_lists_before_and_after()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var device = await new TestDevice(server).ReadyAsync(await server.CreateEnrollmentTokenAsync(groups: ["lab"]));
        await server.SendAsync(HttpMethod.Put, $"/api/v1/devices/{device.Id}/groups", server.AdminToken, new { groups = new[] { "eu-test", "lab" } });
        var groups = await OnlyEntryAsync(server, "device.groups", $"device/{device.Id}", TokenId(server.AdminToken!), "bootstrap admin");
        Assert.Equal("[\"lab\"]", Snapshot(groups, "before").GetProperty("groups").GetRawText());
        Assert.Equal("[\"eu-test\",\"lab\"]", Snapshot(groups, "after").GetProperty("groups").GetRawText());

        var deployer = await server.CreateTokenAsync("deployer", ["eu-test"]);
        await server.SendAsync(HttpMethod.Put, $"/api/v1/devices/{device.Id}/tags", deployer, new { tags = new Dictionary<string, string> { ["site"] = "berlin" } });
        var tags = await OnlyEntryAsync(server, "device.tags", $"device/{device.Id}", TokenId(deployer), "deployer token");
        Assert.Equal("{}", Snapshot(tags, "before").GetProperty("tags").GetRawText());
        Assert.Equal("{\"site\":\"berlin\"}", Snapshot(tags, "after").GetProperty("tags").GetRawText());
        // The snapshots are of the device, so its groups ride along unchanged in a tags entry.
        Assert.Equal(Snapshot(tags, "before").GetProperty("groups").GetRawText(), Snapshot(tags, "after").GetProperty("groups").GetRawText());
    }

    [Fact]
    public async Task A_preauthorized_key_is_recorded_with_the_fingerprint_and_the_device_id_it_will_enrol_as()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var device = new TestDevice(server);
        var key = DeviceKey.Parse(device.Key.ExportSubjectPublicKeyInfo());
        Assert.Equal(HttpStatusCode.Created, (await server.SendAsync(HttpMethod.Post, "/api/v1/preauthorized-keys", server.AdminToken,
            new { publicKey = ProtocolJson.Base64Url(device.Key.ExportSubjectPublicKeyInfo()), label = "factory line 2", groups = new[] { "lab" } })).StatusCode);
        var entry = await OnlyEntryAsync(server, "device.preauthorize", $"key/{key.Fingerprint}", TokenId(server.AdminToken!), "bootstrap admin");
        Assert.Equal(JsonValueKind.Null, Snapshot(entry, "before").ValueKind);
        var after = Snapshot(entry, "after");
        Assert.Equal(device.Id, after.GetProperty("deviceId").GetString());
        Assert.Equal("factory line 2", after.GetProperty("entry").GetProperty("label").GetString());
        Assert.Equal("[\"lab\"]", after.GetProperty("entry").GetProperty("groups").GetRawText());
        // A second preauthorization of the same key is refused and not recorded.
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Post, "/api/v1/preauthorized-keys", server.AdminToken,
            new { publicKey = ProtocolJson.Base64Url(device.Key.ExportSubjectPublicKeyInfo()), label = "again" }), HttpStatusCode.Conflict, "conflict");
        Assert.Single(await server.AuditEntriesAsync("device.preauthorize"));
    }

    [Fact]
    public async Task Enrolment_tokens_are_recorded_at_creation_and_revocation_without_their_secret()
    {
        await using var server = await OtaTestServer.StartAsync();
        var expires = server.Clock.GetUtcNow().AddDays(7);
        var created = await (await server.SendAsync(HttpMethod.Post, "/api/v1/enrollment-tokens", server.AdminToken,
            new { label = "line 3", uses = 5, expiresAt = expires, groups = new[] { "eu-test" } })).JsonAsync();
        var text = created.GetProperty("token").GetString()!;
        Assert.True(OperatorTokenText.TryParse(text, OperatorTokenText.EnrollmentPrefix, out var id, out var secret));
        var create = await OnlyEntryAsync(server, "enrollment-token.create", $"enrollment-token/{id}", TokenId(server.AdminToken!), "bootstrap admin");
        Assert.Equal(JsonValueKind.Null, Snapshot(create, "before").ValueKind);
        var view = Snapshot(create, "after");
        Assert.Equal((5L, "line 3", expires), (view.GetProperty("usesLeft").GetInt64(), view.GetProperty("label").GetString(), view.GetProperty("expiresAt").GetDateTimeOffset()));
        Assert.Equal("[\"eu-test\"]", view.GetProperty("groups").GetRawText());
        Assert.DoesNotContain(secret, create.GetRawText(), StringComparison.Ordinal);

        server.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.NoContent, (await server.SendAsync(HttpMethod.Delete, $"/api/v1/enrollment-tokens/{id}", server.AdminToken)).StatusCode);
        var revoke = await OnlyEntryAsync(server, "enrollment-token.revoke", $"enrollment-token/{id}", TokenId(server.AdminToken!), "bootstrap admin");
        Assert.Equal(JsonValueKind.Null, Snapshot(revoke, "before").GetProperty("revokedAt").ValueKind);
        Assert.Equal(server.Clock.GetUtcNow(), Snapshot(revoke, "after").GetProperty("revokedAt").GetDateTimeOffset());
        Assert.DoesNotContain(secret, revoke.GetRawText(), StringComparison.Ordinal);
    }
}
