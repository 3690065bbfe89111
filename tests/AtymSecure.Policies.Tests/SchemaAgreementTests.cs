using System.Text.Json;
using AtymSecure.Policies.Loading;
using AtymSecure.Policies.Model;
using AtymSecure.Policies.Yaml;
using AtymSecure.Primitives;
using Json.Schema;

namespace AtymSecure.Policies.Tests;

/// <summary>
/// The published JSON Schemas (docs/schemas/*-policy.v1.schema.json, one per kind) and the validator agree on the
/// same goldens: both accept Golden/schema/valid and the samples' policy files, both refuse Golden/schema/invalid.
/// Golden/schema/beyond-schema holds rules a schema cannot say (a threshold against the number of keys, a window's end
/// against its start, names unique within a list, a concrete capability's grammar): the schema accepts them, the
/// validator refuses them.
/// </summary>
public class SchemaAgreementTests
{
    private static readonly Dictionary<string, JsonSchema> Schemas = new()
    {
        [PolicyKinds.Trust] = Load("trust-policy"),
        [PolicyKinds.Deployment] = Load("deployment-policy"),
        [PolicyKinds.Permission] = Load("permission-policy"),
        [PolicyKinds.Device] = Load("device-policy"),
    };

    private static JsonSchema Load(string name) => JsonSchema.FromText(File.ReadAllText(TestPaths.File($"docs/schemas/{name}.v1.schema.json")));

    private static bool SchemaAccepts(string file)
    {
        var problems = new List<Problem>();
        var root = PolicyYamlReader.Read(file, File.ReadAllBytes(file), problems) ?? throw new InvalidOperationException($"{file} is not YAML: {string.Join("; ", problems)}");
        var json = YamlJson.Convert(root)!;
        var kind = json["kind"]!.GetValue<string>();
        using var document = JsonDocument.Parse(json.ToJsonString());
        return Schemas[kind].Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.Flag }).IsValid;
    }

    private static List<Problem> ValidatorProblems(string file)
    {
        var problems = new List<Problem>();
        PolicyDocumentReader.Read(file, File.ReadAllBytes(file), problems);
        return problems;
    }

    private static TheoryData<string> Files(string folder) =>
        [.. Directory.GetFiles(TestPaths.Golden($"schema/{folder}"), "*.yaml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public static TheoryData<string> Valid => Files("valid");

    public static TheoryData<string> Invalid => Files("invalid");

    public static TheoryData<string> BeyondSchema => Files("beyond-schema");

    public static TheoryData<string> SamplePolicies =>
        [.. new[] { "trust.yaml", "deployment.yaml", "permissions.yaml", "devices.yaml" }];

    [Theory]
    [MemberData(nameof(Valid))]
    public void Both_accept_valid_goldens(string name)
    {
        var file = TestPaths.Golden($"schema/valid/{name}");
        Assert.True(SchemaAccepts(file), $"schema refuses {name}");
        Assert.Empty(ValidatorProblems(file));
    }

    [Theory]
    [MemberData(nameof(SamplePolicies))]
    public void Both_accept_the_samples_policy_files(string name)
    {
        var file = Path.Combine(TestPaths.SamplePolicies, name);
        Assert.True(SchemaAccepts(file), $"schema refuses {name}");
        Assert.Empty(ValidatorProblems(file));
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Both_refuse_invalid_goldens(string name)
    {
        var file = TestPaths.Golden($"schema/invalid/{name}");
        Assert.False(SchemaAccepts(file), $"schema accepts {name}");
        var problems = ValidatorProblems(file);
        Assert.NotEmpty(problems);
        Assert.All(problems, p => Assert.True(p.Position is { Line: >= 1 }, $"{p} has no position"));
    }

    [Theory]
    [MemberData(nameof(BeyondSchema))]
    public void Rules_beyond_the_schema_are_the_validators(string name)
    {
        var file = TestPaths.Golden($"schema/beyond-schema/{name}");
        Assert.True(SchemaAccepts(file), $"schema refuses {name}; move it to invalid/");
        Assert.NotEmpty(ValidatorProblems(file));
    }
}
