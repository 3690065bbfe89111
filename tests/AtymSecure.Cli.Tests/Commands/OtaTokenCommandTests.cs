using System.Globalization;
using System.Text.Json;
using AtymSecure.Cli.Tests.Ota;
using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaStore;

namespace AtymSecure.Cli.Tests.Commands;

/// <summary>
/// <c>atym ota token create</c> against a real OTA server on loopback: an enrolment token with <c>--uses</c> and
/// <c>--expires</c> is stored with both (and shown once), and the flags' misuses are refused with the reason.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class OtaTokenCommandTests(LoopbackOtaServer ota) : IClassFixture<LoopbackOtaServer>
{
    private string[] Server(params string[] args) => [.. args, "--server", ota.Url, "--token", ota.AdminToken];

    [Fact]
    public async Task An_enrolment_token_with_uses_and_expiry_is_stored_with_both_and_its_text_is_printed_once()
    {
        var expires = DateTimeOffset.UtcNow.AddDays(7);
        expires = new DateTimeOffset(expires.Year, expires.Month, expires.Day, expires.Hour, expires.Minute, expires.Second, TimeSpan.Zero);
        var created = await LoopbackOtaServer.Ok(Server("ota", "token", "create", "--enrollment", "--uses", "3", "--expires",
            expires.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), "--label", "line 4", "--group", "eu-test"));
        var text = created.StdOut.Trim();
        Assert.True(OperatorTokenText.TryParse(text, OperatorTokenText.EnrollmentPrefix, out var id, out var secret), text);
        Assert.Equal($"atym ota: created enrolment token {id}; it is shown once", created.StdErr.Trim());

        var stored = ota.Service<IEnrollmentTokenStore>().Find(id)!;
        Assert.Equal((3L, expires, "line 4"), (stored.UsesLeft, stored.ExpiresAt, stored.Label));
        Assert.Equal(["eu-test"], stored.Groups);
        Assert.DoesNotContain(secret, JsonSerializer.Serialize(stored), StringComparison.Ordinal); // only its hash is kept

        var json = JsonDocument.Parse((await LoopbackOtaServer.Ok(Server("ota", "token", "create", "--enrollment", "--uses", "1", "--json"))).StdOut).RootElement;
        Assert.Equal(1, json.GetProperty("details").GetProperty("usesLeft").GetInt64());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("details").GetProperty("expiresAt").ValueKind);
        Assert.StartsWith(OperatorTokenText.EnrollmentPrefix, json.GetProperty("token").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_uses_expiry_or_role_combinations_are_refused_and_create_nothing()
    {
        var before = ota.Service<IEnrollmentTokenStore>().List().Count;
        var zero = await CliRunner.RunAsync(Server("ota", "token", "create", "--enrollment", "--uses", "0"));
        Assert.Equal(1, zero.ExitCode);
        Assert.Contains("1..1000000 (leave it out for no limit) (400 invalid-field at $.uses)", zero.StdErr, StringComparison.Ordinal);
        var past = await CliRunner.RunAsync(Server("ota", "token", "create", "--enrollment", "--expires", "2020-01-01T00:00:00Z"));
        Assert.Equal(1, past.ExitCode);
        Assert.Contains("must be in the future (400 invalid-field at $.expiresAt)", past.StdErr, StringComparison.Ordinal);
        var usesOnRole = await CliRunner.RunAsync(Server("ota", "token", "create", "--role", "viewer", "--uses", "3"));
        Assert.Equal(1, usesOnRole.ExitCode);
        Assert.Contains("--uses is for enrolment tokens", usesOnRole.StdErr, StringComparison.Ordinal);
        var both = await CliRunner.RunAsync(Server("ota", "token", "create", "--role", "viewer", "--enrollment"));
        Assert.Equal(1, both.ExitCode);
        Assert.Contains("give either --role R or --enrollment", both.StdErr, StringComparison.Ordinal);
        Assert.Equal(before, ota.Service<IEnrollmentTokenStore>().List().Count);
        Assert.All(new[] { zero, past, usesOnRole, both }, r => Assert.Equal("", r.StdOut));
    }
}
