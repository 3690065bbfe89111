using System.Reflection;
using System.Text.RegularExpressions;
using AtymSecure.Container.Project;
using AtymSecure.Formats.Container;

namespace AtymSecure.Container.Tests;

/// <summary>
/// Config problems carry stable codes (docs/container-format.md#problem-codes): each code is kebab-case, used for one
/// meaning, documented, and each refused golden config keeps the code of the rule it breaks.
/// </summary>
public partial class ConfigProblemCodeTests
{
    private static string[] Codes(Type type) =>
        [.. type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!)];

    private static readonly string[] AllCodes = [.. Codes(typeof(ConfigProblemCodes)), .. Codes(typeof(ProjectProblemCodes))];

    [GeneratedRegex("^[a-z]+(-[a-z0-9]+)*$")]
    private static partial Regex KebabCase();

    [Fact]
    public void Codes_are_kebab_case_unique_and_documented()
    {
        var doc = System.IO.File.ReadAllText(TestPaths.File("docs/container-format.md"));
        Assert.Equal(AllCodes.Length, AllCodes.Distinct(StringComparer.Ordinal).Count());
        foreach (var code in AllCodes)
        {
            Assert.Matches(KebabCase(), code);
            Assert.Contains($"`{code}`", doc, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string, string> RefusedGoldens => new()
    {
        { "invalid/bad-name.json", ConfigProblemCodes.InvalidName },
        { "invalid/bad-semver.json", ConfigProblemCodes.InvalidVersion },
        { "invalid/blob-bad-digest.json", ConfigProblemCodes.InvalidDigest },
        { "invalid/blob-missing-size.json", ConfigProblemCodes.Required },
        { "invalid/cpu-budget-not-integer.json", ConfigProblemCodes.WrongType },
        { "invalid/duplicate-permission.json", ConfigProblemCodes.Duplicate },
        { "invalid/duplicate-target.json", ConfigProblemCodes.Duplicate },
        { "invalid/entrypoint-dash.json", ConfigProblemCodes.InvalidExportName },
        { "invalid/gpio-pin-too-high.json", ConfigProblemCodes.InvalidCapability },
        { "invalid/leading-zero-semver.json", ConfigProblemCodes.InvalidVersion },
        { "invalid/memory-not-page-multiple.json", ConfigProblemCodes.NotPageMultiple },
        { "invalid/memory-too-large.json", ConfigProblemCodes.OutOfRange },
        { "invalid/log-rate-too-high.json", ConfigProblemCodes.OutOfRange },
        { "invalid/log-rate-zero.json", ConfigProblemCodes.OutOfRange },
        { "invalid/missing-version.json", ConfigProblemCodes.Required },
        { "invalid/multiplier-low.json", ConfigProblemCodes.OutOfRange },
        { "invalid/not-an-object.json", ConfigProblemCodes.WrongType },
        { "invalid/passes-zero.json", ConfigProblemCodes.OutOfRange },
        { "invalid/probe-missing.json", ConfigProblemCodes.Required },
        { "invalid/publish-wildcard.json", ConfigProblemCodes.InvalidCapability },
        { "invalid/restart-policy.json", ConfigProblemCodes.InvalidRestartPolicy },
        { "invalid/schema-version-2.json", ConfigProblemCodes.UnsupportedSchemaVersion },
        { "invalid/stack-too-small.json", ConfigProblemCodes.OutOfRange },
        { "invalid/unknown-capability.json", ConfigProblemCodes.InvalidCapability },
        { "invalid/unknown-field.json", ConfigProblemCodes.UnknownField },
        { "invalid/unknown-target.json", ConfigProblemCodes.UnknownDeviceClass },
        { "invalid/variable-name.json", ConfigProblemCodes.InvalidVariableName },
        { "invalid/variable-number.json", ConfigProblemCodes.WrongType },
        { "beyond-schema/blob-permission-without-blob.json", ConfigProblemCodes.UnknownBlob },
        { "beyond-schema/backoff-max-below-initial.json", ConfigProblemCodes.BackoffBelowInitial },
        { "beyond-schema/duplicate-blob-name.json", ConfigProblemCodes.Duplicate },
        { "beyond-schema/probe-equals-entrypoint.json", ConfigProblemCodes.ProbeIsEntrypoint },
        { "beyond-schema/timeout-above-interval.json", ConfigProblemCodes.TimeoutExceedsInterval },
    };

    [Theory]
    [MemberData(nameof(RefusedGoldens))]
    public void A_refused_golden_reports_the_code_of_the_rule_it_breaks(string golden, string code)
    {
        var e = Assert.Throws<ContainerConfigException>(() => ContainerConfigJson.Parse(System.IO.File.ReadAllBytes(TestPaths.Golden($"config/{golden}"))));
        Assert.Equal([code], e.Problems.Select(p => p.Code).Distinct());
    }

    [Fact]
    public void Every_refused_golden_has_its_expected_code()
    {
        var listed = RefusedGoldens.Select(row => (string)row[0]).ToHashSet(StringComparer.Ordinal);
        foreach (var folder in new[] { "invalid", "beyond-schema" })
        {
            foreach (var file in Directory.GetFiles(TestPaths.Golden($"config/{folder}"), "*.json"))
                Assert.Contains($"{folder}/{Path.GetFileName(file)}", listed);
        }
    }
}
