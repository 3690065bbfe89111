using System.Text.Json;
using AtymSecure.Policies.Reporting;
using AtymSecure.Policies.Tooling;
using AtymSecure.TestSupport;

namespace AtymSecure.Policies.Tests.Reporting;

public class ProblemReportTests
{
    private static TempFolder Broken()
    {
        var folder = TempFolder.Create("policy-validate");
        folder.Write("a.yaml", "apiVersion: policy.atym.dev/v1\nkind: DevicePolicy\nmetadata: {name: d}\nspec:\n  classes:\n    - name: vax-11\n      minRuntimeVersion: 0.1.0\n      flashProfiles: [spinor]\n");
        folder.Write("b.yml", "apiVersion: policy.atym.dev/v1\nkind: TrustPolicy\nmetadata: {name: t}\nspec:\n  rules:\n    - {name: r, scope: x.example/a, keys: [nobody], colour: red}\n");
        return folder;
    }

    [Fact]
    public void Text_lists_every_problem_of_every_file_as_file_line_column_with_a_hint()
    {
        using var folder = Broken();
        var outcome = PolicyTool.Validate(folder.Path, ReportFormat.Text);
        Assert.Equal(PolicyTool.Failed, outcome.ExitCode);
        var a = Path.Combine(folder.Path, "a.yaml");
        var b = Path.Combine(folder.Path, "b.yml");
        Assert.Contains($"{a}:6:13: unknown device class 'vax-11'", outcome.Output, StringComparison.Ordinal);
        Assert.Contains($"{b}:6:53: unknown field 'colour'", outcome.Output, StringComparison.Ordinal);
        Assert.Contains($"{b}:6:7: rule 'r' names key 'nobody', which no trust policy defines (known: none)", outcome.Output, StringComparison.Ordinal);
        Assert.Contains("    hint: define the key under spec.keys of a TrustPolicy, or fix the name", outcome.Output, StringComparison.Ordinal);
        Assert.EndsWith("2 policy files: 3 problems\n", outcome.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void GitHub_format_is_one_error_annotation_per_problem()
    {
        using var folder = Broken();
        var lines = PolicyTool.Validate(folder.Path, ReportFormat.GitHub).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Count(l => l.StartsWith("::error file=", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith($"::error file={folder.Path}/a.yaml,line=6,col=13,title=policy unknown-device-class::$.spec.classes[0].name: unknown device class", StringComparison.Ordinal));
    }

    [Fact]
    public void Json_format_carries_code_position_path_message_and_hint()
    {
        using var folder = Broken();
        using var json = JsonDocument.Parse(PolicyTool.Validate(folder.Path, ReportFormat.Json).Output);
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal(2, json.RootElement.GetProperty("files").GetInt32());
        var first = json.RootElement.GetProperty("problems")[0];
        Assert.Equal("unknown-device-class", first.GetProperty("code").GetString());
        Assert.Equal(6, first.GetProperty("line").GetInt32());
        Assert.Equal("$.spec.classes[0].name", first.GetProperty("path").GetString());
        Assert.False(string.IsNullOrEmpty(first.GetProperty("hint").GetString()));
    }

    [Fact]
    public void A_valid_folder_says_so_and_exits_zero()
    {
        var outcome = PolicyTool.Validate(TestPaths.SamplePolicies, ReportFormat.Text);
        Assert.Equal((PolicyTool.Ok, $"{Directory.GetFiles(TestPaths.SamplePolicies, "*.yaml", SearchOption.AllDirectories).Length} policy files: valid\n"), (outcome.ExitCode, outcome.Output));
    }
}
