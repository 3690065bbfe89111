using System.Text.Json;
using AtymSecure.OtaStore;

namespace AtymSecure.Cli.Tests.Ota;

/// <summary>
/// <c>atym ota devices</c>, and <c>atym ota status</c> of a server without a registry, against a real OTA server on
/// loopback: the JSON is the API's, the tables show each device and each state's count, and the token may come from
/// <c>ATYM_OTA_TOKEN</c> (OtaFleetCommandsTests has the status of deployments).
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class OtaDevicesVerbTests : IClassFixture<LoopbackOtaServer>, IAsyncLifetime
{
    private readonly LoopbackOtaServer _ota;

    public OtaDevicesVerbTests(LoopbackOtaServer ota) => _ota = ota;

    public Task InitializeAsync()
    {
        // One fleet for the class (the fixture is shared): two active devices in eu-test and lab, one pending, one decommissioned.
        if (_ota.Service<IDeviceStore>().Find("dev-eu-1") is null)
        {
            _ota.AddDevice("dev-eu-1", DeviceState.Active, "eu-test");
            _ota.AddDevice("dev-lab-1", DeviceState.Active, "lab");
            _ota.AddDevice("dev-new-1", DeviceState.Pending);
            _ota.AddDevice("dev-old-1", DeviceState.Decommissioned, "lab");
        }
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private string[] Server(params string[] args) => [.. args, "--server", _ota.Url, "--token", _ota.AdminToken];

    [Fact]
    public async Task Devices_as_json_is_the_apis_list_and_the_group_filter_narrows_it()
    {
        var all = JsonDocument.Parse((await LoopbackOtaServer.Ok(Server("ota", "devices", "--json"))).StdOut).RootElement;
        Assert.Equal(["dev-eu-1", "dev-lab-1", "dev-new-1", "dev-old-1"], all.EnumerateArray().Select(d => d.GetProperty("id").GetString()));
        var eu = all.EnumerateArray().Single(d => d.GetProperty("id").GetString() == "dev-eu-1");
        Assert.Equal(("active", "linux-x86_64", "1.0.0"), (eu.GetProperty("state").GetString(), eu.GetProperty("deviceClass").GetString(), eu.GetProperty("runtimeVersion").GetString()));
        Assert.Equal("[\"eu-test\"]", eu.GetProperty("groups").GetRawText());
        Assert.Equal(JsonValueKind.Null, eu.GetProperty("lastReport").ValueKind);

        var lab = JsonDocument.Parse((await LoopbackOtaServer.Ok(Server("ota", "devices", "--group", "lab", "--json"))).StdOut).RootElement;
        Assert.Equal(["dev-lab-1", "dev-old-1"], lab.EnumerateArray().Select(d => d.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Devices_follows_the_servers_page_links_to_the_end_and_stops_at_the_limit()
    {
        static string[] Ids(CliRunner.Result r) => [.. JsonDocument.Parse(r.StdOut).RootElement.EnumerateArray().Select(d => d.GetProperty("id").GetString()!)];
        var byOne = await LoopbackOtaServer.Ok(Server("ota", "devices", "--json", "--page-size", "1"));
        Assert.Equal(["dev-eu-1", "dev-lab-1", "dev-new-1", "dev-old-1"], Ids(byOne));
        var three = await LoopbackOtaServer.Ok(Server("ota", "devices", "--json", "--page-size", "2", "--limit", "3"));
        Assert.Equal(["dev-eu-1", "dev-lab-1", "dev-new-1"], Ids(three));
        var table = await LoopbackOtaServer.Ok(Server("ota", "devices", "--page-size", "3"));
        Assert.Contains("4 device(s)", table.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_prints_a_table_of_devices_by_state_and_the_director_and_poll_interval()
    {
        var status = await LoopbackOtaServer.Ok(Server("ota", "status"));
        var rows = status.StdOut.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains(rows, r => Cells(r) is ["State", "Devices"]);
        Assert.Contains(rows, r => Cells(r) is ["pending", "1"]);
        Assert.Contains(rows, r => Cells(r) is ["active", "2"]);
        Assert.Contains(rows, r => Cells(r) is ["decommissioned", "1"]);
        // The console is 80 columns wide when not a terminal: the closing line wraps.
        Assert.Contains("director root: none uploaded (poll answers carry no director targets); poll interval 300 s",
            System.Text.RegularExpressions.Regex.Replace(status.StdOut, @"\s+", " "), StringComparison.Ordinal);

        Assert.Contains("no deployments: this server runs without a registry", status.StdOut, StringComparison.Ordinal);

        var json = JsonDocument.Parse((await LoopbackOtaServer.Ok(Server("ota", "status", "--json"))).StdOut).RootElement;
        Assert.Equal(2, json.GetProperty("fleet").GetProperty("devices").GetProperty("active").GetInt64());
        Assert.Equal(300, json.GetProperty("fleet").GetProperty("pollIntervalSeconds").GetInt64());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("deployments").ValueKind);
    }

    [Fact]
    public async Task The_token_comes_from_ATYM_OTA_TOKEN_when_no_token_flag_is_given_and_the_flag_wins()
    {
        var saved = Environment.GetEnvironmentVariable("ATYM_OTA_TOKEN");
        try
        {
            var viewer = (await LoopbackOtaServer.Ok(Server("ota", "token", "create", "--role", "viewer", "--group", "eu-test"))).StdOut.Trim();
            Environment.SetEnvironmentVariable("ATYM_OTA_TOKEN", viewer);
            var scoped = JsonDocument.Parse((await LoopbackOtaServer.Ok("ota", "devices", "--json", "--server", _ota.Url)).StdOut).RootElement;
            Assert.Equal(["dev-eu-1"], scoped.EnumerateArray().Select(d => d.GetProperty("id").GetString())); // the scoped token was the one used
            var table = await LoopbackOtaServer.Ok("ota", "devices", "--server", _ota.Url);
            Assert.Contains("dev-eu-1", table.StdOut, StringComparison.Ordinal);
            Assert.DoesNotContain("dev-lab-1", table.StdOut, StringComparison.Ordinal);
            Assert.Contains("1 device(s)", table.StdOut, StringComparison.Ordinal);

            var flagWins = JsonDocument.Parse((await LoopbackOtaServer.Ok("ota", "devices", "--json", "--server", _ota.Url, "--token", _ota.AdminToken)).StdOut).RootElement;
            Assert.Equal(4, flagWins.GetArrayLength());

            Environment.SetEnvironmentVariable("ATYM_OTA_TOKEN", "atym_00000000_" + new string('A', 43));
            var refused = await CliRunner.RunAsync("ota", "status", "--server", _ota.Url);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("unknown operator token (401 unauthenticated at Authorization)", refused.StdErr, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("ATYM_OTA_TOKEN", saved);
        }
    }

    /// <summary>The cells of one table row drawn with box characters ("│ a │ b │"), or empty for a border line.</summary>
    private static string[] Cells(string row) =>
        row.Contains('│', StringComparison.Ordinal) ? [.. row.Split('│', StringSplitOptions.TrimEntries).Where(c => c.Length > 0)] : [];
}
