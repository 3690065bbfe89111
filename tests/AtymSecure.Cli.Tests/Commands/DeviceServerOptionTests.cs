using System.Security.Cryptography;
using AtymSecure.TestSupport;

namespace AtymSecure.Cli.Tests.Commands;

/// <summary>
/// <c>atym device run --server URL</c>: the option was an <c>Option&lt;Uri&gt;</c>, which System.CommandLine cannot
/// parse, so every URL failed with "Cannot parse argument … as expected type 'System.Uri'" and no device ever reached
/// a server from the CLI. Now a URL reaches the device agent, and a non-URL is refused in words.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class DeviceServerOptionTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly TempFolder _temp = TempFolder.Create("device-server");

    public void Dispose() => _temp.Dispose();

    private string Data => Path.Combine(_temp.Path, "dev");

    [Fact]
    public async Task A_server_url_reaches_the_device_agent_which_asks_a_development_device_for_roots()
    {
        var key = Path.Combine(_temp.Path, "trusted.pub");
        using (var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256)) await File.WriteAllTextAsync(key, ecdsa.ExportSubjectPublicKeyInfoPem());
        var init = await CliRunner.RunAsync("device", "init", "--data", Data, "--container", "app=64K", "--trust", "compiler=" + key).WaitAsync(Deadline);
        Assert.True(init.ExitCode == 0, init.StdErr);

        var run = await CliRunner.RunAsync("device", "run", "--data", Data, "--server", "http://127.0.0.1:9/", "--duration", "00:00:00.1").WaitAsync(Deadline);

        Assert.NotEqual(0, run.ExitCode);
        Assert.DoesNotContain("Cannot parse argument", run.StdErr, StringComparison.Ordinal);
        Assert.Contains("--director-root and --image-root", run.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1/")]
    [InlineData("127.0.0.1:8080")]
    public async Task A_server_that_is_not_an_http_url_is_refused_naming_it(string server)
    {
        var run = await CliRunner.RunAsync("device", "run", "--data", Data, "--server", server).WaitAsync(Deadline);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"--server '{server}' is not an absolute http:// or https:// URL", run.StdErr, StringComparison.Ordinal);
    }
}
