using AtymSecure.TestSupport;

namespace AtymSecure.EndToEnd.Tests;

/// <summary>
/// <c>atym ota serve --store postgres://…</c> as a real process on a real PostgreSQL: the first start prints the admin
/// token, which creates a viewer token through the CLI; after a kill -9 the server starts again on an empty data folder
/// and the same database, prints no admin token, and the viewer token still works: the records are in PostgreSQL.
/// </summary>
[Trait("Requires", "process")]
[Trait("Requires", "postgres")]
public sealed class OtaServePostgresProcessTests : IDisposable
{
    private readonly TempFolder _folder = TempFolder.Create("e2e-ota-pg");
    private readonly string _database = PostgresServer.Shared.CreateDatabase("ota_e2e");

    [Fact]
    public async Task The_server_keeps_its_tokens_in_postgres_across_a_kill_and_a_new_data_folder()
    {
        var atym = new AtymProcess(_folder.Path, new Dictionary<string, string>());
        var store = PostgresServer.Shared.Url(_database);
        string viewer;
        await using (var server = atym.Start("ota", "serve", "--listen", "127.0.0.1:0", "--data", _folder.Folder("first"), "--store", store))
        {
            await server.WaitForLogAsync(OtaServeLog.ListeningLine, TimeSpan.FromMinutes(2));
            Assert.Contains($"store {store}", server.Log, StringComparison.Ordinal);
            var url = OtaServeLog.ListeningUrl(server.Log);
            var admin = OtaServeLog.AdminToken(server.Log);
            viewer = (await atym.Ok("ota", "token", "create", "--role", "viewer", "--label", "e2e", "--server", url, "--token", admin)).Trim();
            Assert.Matches("^atym_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$", viewer);
            await server.KillAsync();
        }

        await using var restarted = atym.Start("ota", "serve", "--listen", "127.0.0.1:0", "--data", _folder.Folder("second"), "--store", store);
        await restarted.WaitForLogAsync(OtaServeLog.ListeningLine, TimeSpan.FromMinutes(2));
        Assert.DoesNotContain("admin token:", restarted.Log, StringComparison.Ordinal);
        var again = OtaServeLog.ListeningUrl(restarted.Log);
        Assert.Contains("0 device(s)", await atym.Ok("ota", "devices", "--server", again, "--token", viewer), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder.Path, "first", "ota.db")));
    }

    public void Dispose()
    {
        PostgresServer.Shared.DropDatabase(_database);
        _folder.Dispose();
    }
}
