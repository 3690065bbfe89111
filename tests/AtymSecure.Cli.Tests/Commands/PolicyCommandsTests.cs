using AtymSecure.TestSupport;

namespace AtymSecure.Cli.Tests.Commands;

/// <summary><c>atym policy validate|test|diff|explain</c> as a person types them, on the repository's own policy folder and the diff fixtures.</summary>
[Collection(ConsoleCollection.Name)]
public class PolicyCommandsTests
{
    private static readonly string Samples = RepositoryRoot.File("policies/samples");

    private static string Fixture(string name, string side) => RepositoryRoot.File($"tests/AtymSecure.Policies.Tests/Fixtures/diff/{name}/{side}");

    [Fact]
    public async Task Validate_and_test_pass_on_the_repositorys_policies()
    {
        var validate = await CliRunner.RunAsync("policy", "validate", Samples);
        Assert.Equal(0, validate.ExitCode);
        Assert.EndsWith("policy files: valid\n", validate.StdOut, StringComparison.Ordinal);
        var test = await CliRunner.RunAsync("policy", "test", Samples);
        Assert.Equal(0, test.ExitCode);
        Assert.Matches(@"\n\d+ passed, 0 failed\n$", test.StdOut);
    }

    [Fact]
    public async Task Explain_names_the_refusing_rule_its_file_and_line_and_exits_2()
    {
        var r = await CliRunner.RunAsync("policy", "explain", Samples,
            "--release", Path.Combine(Samples, "inputs/sensor-filter-1.1.0.release.yaml"),
            "--device", Path.Combine(Samples, "inputs/eu-gw-01.device.yaml"),
            "--at", "2026-12-22T02:00:00Z");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith($"DENY by deployment/eu-prod ({Path.Combine(Samples, "deployment.yaml")}:", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("year-end change freeze", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("pass  trust/sensor-filter", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_allows_within_the_window_and_exits_0()
    {
        var r = await CliRunner.RunAsync("policy", "explain", Samples,
            "--release", Path.Combine(Samples, "inputs/sensor-filter-1.1.0.release.yaml"),
            "--device", Path.Combine(Samples, "inputs/eu-gw-01.device.yaml"),
            "--at", "2026-12-01T02:00:00Z", "--wave", "1", "--canary", "--percent", "5");
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith($"ALLOW by trust/sensor-filter ({Path.Combine(Samples, "trust.yaml")}:24:7)", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_refuses_a_release_file_with_problems_naming_them()
    {
        var r = await CliRunner.RunAsync("policy", "explain", Samples, "--release", Path.Combine(Samples, "inputs/eu-gw-01.device.yaml"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("expected kind Release, found Device", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_of_two_folders_prints_the_fixtures_markdown_and_exits_2_when_permissions_widen()
    {
        using var folder = TempFolder.Create("policy-cli");
        foreach (var side in new[] { "before", "after" })
            foreach (var file in Directory.GetFiles(Fixture("base", "")))
                File.Copy(file, Path.Combine(folder.Folder(side), Path.GetFileName(file)));
        File.Copy(Path.Combine(Fixture("15-permission-topic-added", "after"), "permissions.yaml"), folder.File("after/permissions.yaml"), overwrite: true);

        var r = await CliRunner.RunAsync("policy", "diff", folder.File("before"), folder.File("after"));

        Assert.Equal(2, r.ExitCode);
        var expected = File.ReadAllText(RepositoryRoot.File("tests/AtymSecure.Policies.Tests/Fixtures/diff/15-permission-topic-added/expected.md"));
        Assert.Equal(expected.Replace("`before` → `after`", $"`{folder.File("before")}` → `{folder.File("after")}`", StringComparison.Ordinal), r.StdOut);
    }

    [Fact]
    public async Task Validate_in_github_format_prints_annotations()
    {
        using var folder = TempFolder.Create("policy-cli");
        folder.Write("bad.yaml", "apiVersion: policy.atym.dev/v1\nkind: TrustPolicy\nmetadata: {name: t}\nspec: {rules: [], extra: 1}\n");
        var r = await CliRunner.RunAsync("policy", "validate", folder.Path, "--format", "github");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"::error file={folder.Path}/bad.yaml,line=4,col=", r.StdOut, StringComparison.Ordinal);
    }
}
