using System.Text.Json;
using AtymSecure.TestSupport;

namespace AtymSecure.EndToEnd.Tests;

/// <summary>
/// <c>atym ota serve</c> as a real process over HTTPS (a test CA made by the OTA tests' make-test-ca.sh), driven by the
/// CLI's operator verbs as separate processes: the first start prints the one-time admin token, which creates a
/// viewer token; status and devices answer; after a kill -9 and a restart on the same folder no token is printed and
/// the tokens made before still work.
/// </summary>
[Trait("Requires", "process")]
[Trait("Requires", "openssl")]
public sealed class OtaServeProcessTests : IDisposable
{
    private readonly TempFolder _folder = TempFolder.Create("e2e-ota");

    [Fact]
    public async Task The_server_runs_over_https_prints_its_admin_token_once_and_keeps_tokens_across_a_kill()
    {
        var script = Path.Combine(RepositoryRoot.Path, "tests", "AtymSecure.OtaServer.Tests", "Tls", "make-test-ca.sh");
        var ca = await ExternalTool.RunAsync("sh", [script, _folder.File("pki")], TimeSpan.FromMinutes(1));
        Assert.True(ca.ExitCode == 0, ca.StdErr);
        var config = _folder.Write("ota.json", JsonSerializer.Serialize(new
        {
            dataDirectory = "data", listenUrl = "https://127.0.0.1:0", certificatePath = "pki/server.pem", certificateKeyPath = "pki/server.key",
        }));
        var atym = new AtymProcess(_folder.Path, new Dictionary<string, string> { ["SSL_CERT_FILE"] = _folder.File("pki/ca.pem") });

        var server = atym.Start("ota", "serve", "--config", config);
        string url, admin;
        await using (server)
        {
            await server.WaitForLogAsync(OtaServeLog.ListeningLine, TimeSpan.FromMinutes(2));
            url = OtaServeLog.ListeningUrl(server.Log);
            admin = OtaServeLog.AdminToken(server.Log);
            Assert.StartsWith("https://127.0.0.1:", url, StringComparison.Ordinal);
            Assert.StartsWith("atym_", admin, StringComparison.Ordinal);

            var viewer = (await atym.Ok("ota", "token", "create", "--role", "viewer", "--label", "e2e", "--server", url, "--token", admin)).Trim();
            Assert.Matches("^atym_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$", viewer);
            var status = JsonDocument.Parse(await atym.Ok("ota", "status", "--json", "--server", url, "--token", viewer)).RootElement;
            Assert.Equal(0, status.GetProperty("fleet").GetProperty("devices").GetProperty("active").GetInt64());
            Assert.Equal(JsonValueKind.Null, status.GetProperty("deployments").ValueKind); // no --registry: no releases, no rollouts
            var refused = await atym.Run("ota", "token", "create", "--role", "admin", "--server", url, "--token", viewer);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("403 forbidden", refused.StdErr, StringComparison.Ordinal);
            await server.KillAsync();

            var restarted = atym.Start("ota", "serve", "--config", config);
            await using (restarted)
            {
                await restarted.WaitForLogAsync(OtaServeLog.ListeningLine, TimeSpan.FromMinutes(2));
                Assert.DoesNotContain("admin token:", restarted.Log, StringComparison.Ordinal);
                var again = OtaServeLog.ListeningUrl(restarted.Log);
                Assert.Contains("0 device(s)", await atym.Ok("ota", "devices", "--server", again, "--token", viewer), StringComparison.Ordinal);
            }
        }
    }

    public void Dispose() => _folder.Dispose();
}
