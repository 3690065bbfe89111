using System.Text.Json;
using AtymSecure.Formats.Container;
using AtymSecure.TestSupport;
using Json.Schema;
using AtymSecure.Primitives;

namespace AtymSecure.Container.Tests;

/// <summary>
/// The published JSON Schema (docs/schemas/container-config.v1.schema.json) and ContainerConfigValidator agree on
/// golden configs: both accept Golden/config/valid, both refuse Golden/config/invalid. Golden/config/beyond-schema
/// holds the cross-field rules JSON Schema cannot say (documented in docs/container-format.md): the schema
/// accepts them and the validator refuses them.
/// </summary>
public class SchemaAgreementTests
{
    private static readonly JsonSchema Schema =
        JsonSchema.FromText(System.IO.File.ReadAllText(TestPaths.File("docs/schemas/container-config.v1.schema.json")));

    private static bool SchemaAccepts(string file)
    {
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(file));
        return Schema.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.Flag }).IsValid;
    }

    private static IReadOnlyList<Problem> ValidatorErrors(string file)
    {
        try
        {
            ContainerConfigJson.Parse(System.IO.File.ReadAllBytes(file));
            return [];
        }
        catch (ContainerConfigException e)
        {
            return e.Problems;
        }
    }

    public static TheoryData<string> Files(string folder) =>
        [.. Directory.GetFiles(TestPaths.Golden($"config/{folder}"), "*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public static TheoryData<string> Valid => Files("valid");

    public static TheoryData<string> Invalid => Files("invalid");

    public static TheoryData<string> BeyondSchema => Files("beyond-schema");

    [Theory]
    [MemberData(nameof(Valid))]
    public void Both_accept_valid_goldens(string name)
    {
        var file = TestPaths.Golden($"config/valid/{name}");
        Assert.True(SchemaAccepts(file), $"schema refuses {name}");
        Assert.Empty(ValidatorErrors(file));
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Both_refuse_invalid_goldens(string name)
    {
        var file = TestPaths.Golden($"config/invalid/{name}");
        Assert.False(SchemaAccepts(file), $"schema accepts {name}");
        Assert.NotEmpty(ValidatorErrors(file));
    }

    [Theory]
    [MemberData(nameof(BeyondSchema))]
    public void Cross_field_rules_are_enforced_by_the_validator_beyond_the_schema(string name)
    {
        var file = TestPaths.Golden($"config/beyond-schema/{name}");
        Assert.True(SchemaAccepts(file), $"schema refuses {name}; move it to invalid/");
        Assert.NotEmpty(ValidatorErrors(file));
    }

    [Fact]
    public void Every_sample_config_satisfies_the_schema_in_canonical_json_form()
    {
        foreach (var sample in new[] { "sensor-filter", "sensor-filter-v1.1.0", "sensor-filter-bad", "anomaly-detector", "faulty" })
        {
            var project = Project.ContainerProject.Load(TestPaths.File($"samples/{sample}"));
            using var dir = TempFolder.Create("container");
            var file = dir.File("config.json");
            System.IO.File.WriteAllBytes(file, ContainerConfigJson.Serialize(project.Config));
            Assert.True(SchemaAccepts(file), $"schema refuses the config of {sample}");
        }
    }
}
