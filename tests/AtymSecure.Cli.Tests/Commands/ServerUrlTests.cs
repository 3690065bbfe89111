using AtymSecure.Cli.Commands;
using AtymSecure.TestSupport;

namespace AtymSecure.Cli.Tests.Commands;

/// <summary>
/// <see cref="ServerUrl"/>: the one check of a device-side <c>--server</c> URL. <c>atym fleet simulate</c> took any
/// absolute URL (an <c>ftp://</c> server got as far as starting the fleet); it now refuses what <c>atym device run</c>
/// refuses, in the same words, before anything starts (<see cref="DeviceServerOptionTests"/> covers <c>device run</c>).
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ServerUrlTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080/")]
    [InlineData("https://ota.example.com")]
    public void An_absolute_http_or_https_url_is_taken(string text) => Assert.Equal(new Uri(text), ServerUrl.Parse(text));

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1/")]
    [InlineData("127.0.0.1:8080")]
    public async Task Fleet_simulate_refuses_a_server_that_is_not_an_http_url_naming_it(string server)
    {
        Assert.Null(ServerUrl.Parse(server));
        var run = await CliRunner.RunAsync("fleet", "simulate", "--server", server, "--director-root", "director.root.json", "--image-root", "image.root.json")
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"--server '{server}' is not an absolute http:// or https:// URL", run.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("fleet:", run.StdOut, StringComparison.Ordinal);
    }
}
