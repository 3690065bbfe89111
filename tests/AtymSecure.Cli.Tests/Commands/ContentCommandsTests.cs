using AtymSecure.Registry.Hosting;
using Microsoft.AspNetCore.Builder;

namespace AtymSecure.Cli.Tests.Commands;

/// <summary>The oras-like verbs against a real registry on 127.0.0.1 and an OCI layout folder.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ContentCommandsTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("atym-cli-").FullName;
    private WebApplication _registry = null!;
    private string _host = "";

    public async Task InitializeAsync()
    {
        _registry = RegistryServer.Build(new RegistryOptions { DataDirectory = Path.Combine(_dir, "registry"), ListenUrl = "http://127.0.0.1:0" });
        await _registry.StartAsync();
        _host = RegistryServer.ListeningAddress(_registry).Authority;
    }

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private string File(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task Push_ls_pull_tag_copy_manifest_and_referrers_work_end_to_end()
    {
        var readme = File("readme.txt", "hello");
        var model = File("model.bin", "weights");
        var push = await CliRunner.RunAsync("push", $"{_host}/demo/app:v1", readme, $"{model}:application/octet-stream", "-a", "org.example.note=cli");
        Assert.Equal(0, push.ExitCode);
        var digest = push.StdOut.Split("Digest: ")[1].Trim();

        Assert.Equal(0, (await CliRunner.RunAsync("tag", $"{_host}/demo/app:v1", "stable", "latest")).ExitCode);
        var ls = await CliRunner.RunAsync("ls", $"{_host}/demo/app");
        Assert.Equal(["latest", "stable", "v1"], ls.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var fetched = await CliRunner.RunAsync("manifest", "fetch", $"{_host}/demo/app:stable", "--descriptor");
        Assert.Contains(digest, fetched.StdOut);

        var output = Path.Combine(_dir, "out");
        Assert.Equal(0, (await CliRunner.RunAsync("pull", $"{_host}/demo/app:v1", "-o", output)).ExitCode);
        Assert.Equal("weights", System.IO.File.ReadAllText(Path.Combine(output, "model.bin")));

        var layout = Path.Combine(_dir, "layout");
        var copy = await CliRunner.RunAsync("copy", $"{_host}/demo/app:v1", $"oci:{layout}:v1");
        Assert.Equal(0, copy.ExitCode);
        Assert.Contains(digest, copy.StdOut);
        Assert.Equal(0, (await CliRunner.RunAsync("copy", $"oci:{layout}:v1", $"{_host}/mirror/app:v1")).ExitCode);
        Assert.Contains(digest, (await CliRunner.RunAsync("manifest", "fetch", $"{_host}/mirror/app:v1", "--descriptor")).StdOut);

        var referrers = await CliRunner.RunAsync("referrers", $"{_host}/demo/app:v1");
        Assert.Contains("has 0 referrer(s)", referrers.StdOut);

        Assert.Equal(0, (await CliRunner.RunAsync("manifest", "delete", $"{_host}/demo/app@{digest}")).ExitCode);
        Assert.NotEqual(0, (await CliRunner.RunAsync("manifest", "fetch", $"{_host}/demo/app:stable")).ExitCode);
    }

    [Fact]
    public async Task Bad_reference_fails_with_a_message_and_nonzero_exit()
    {
        var result = await CliRunner.RunAsync("ls", "NOT A REFERENCE");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("invalid reference", result.StdErr + result.StdOut, StringComparison.OrdinalIgnoreCase);
    }
}
