using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Cli.Tests.Commands;

/// <summary>The oras-like verbs against a real registry on 127.0.0.1 and an OCI layout folder.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ContentCommandsTests : IAsyncLifetime
{
    private readonly TempFolder _folder = TempFolder.Create("cli");
    private readonly LoopbackRegistry _registry = new();

    public async Task InitializeAsync()
    {
        await _registry.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task Push_ls_pull_tag_copy_manifest_and_referrers_work_end_to_end()
    {
        var readme = _folder.Write("readme.txt", "hello");
        var model = _folder.Write("model.bin", "weights");
        var push = await CliRunner.RunAsync("push", $"{_registry.Host}/demo/app:v1", readme, $"{model}:application/octet-stream", "-a", "org.example.note=cli");
        Assert.Equal(0, push.ExitCode);
        var digest = push.StdOut.Split("Digest: ")[1].Trim();

        Assert.Equal(0, (await CliRunner.RunAsync("tag", $"{_registry.Host}/demo/app:v1", "stable", "latest")).ExitCode);
        var ls = await CliRunner.RunAsync("ls", $"{_registry.Host}/demo/app");
        Assert.Equal(["latest", "stable", "v1"], ls.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var fetched = await CliRunner.RunAsync("manifest", "fetch", $"{_registry.Host}/demo/app:stable", "--descriptor");
        Assert.Contains(digest, fetched.StdOut);

        var output = _folder.File("out");
        Assert.Equal(0, (await CliRunner.RunAsync("pull", $"{_registry.Host}/demo/app:v1", "-o", output)).ExitCode);
        Assert.Equal("weights", File.ReadAllText(Path.Combine(output, "model.bin")));

        var layout = _folder.File("layout");
        var copy = await CliRunner.RunAsync("copy", $"{_registry.Host}/demo/app:v1", $"oci:{layout}:v1");
        Assert.Equal(0, copy.ExitCode);
        Assert.Contains(digest, copy.StdOut);
        Assert.Equal(0, (await CliRunner.RunAsync("copy", $"oci:{layout}:v1", $"{_registry.Host}/mirror/app:v1")).ExitCode);
        Assert.Contains(digest, (await CliRunner.RunAsync("manifest", "fetch", $"{_registry.Host}/mirror/app:v1", "--descriptor")).StdOut);

        var referrers = await CliRunner.RunAsync("referrers", $"{_registry.Host}/demo/app:v1");
        Assert.Contains("has 0 referrer(s)", referrers.StdOut);

        Assert.Equal(0, (await CliRunner.RunAsync("manifest", "delete", $"{_registry.Host}/demo/app@{digest}")).ExitCode);
        Assert.NotEqual(0, (await CliRunner.RunAsync("manifest", "fetch", $"{_registry.Host}/demo/app:stable")).ExitCode);
    }

    [Fact]
    public async Task Bad_reference_fails_with_a_message_and_nonzero_exit()
    {
        var result = await CliRunner.RunAsync("ls", "NOT A REFERENCE");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("invalid reference", result.StdErr + result.StdOut, StringComparison.OrdinalIgnoreCase);
    }
}
