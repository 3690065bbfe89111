using System.Text;
using AtymSecure.Formats.Container;
using CsCheck;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Tests.Container;

public class ContainerConfigJsonTests
{
    internal const string Full = """
        {"schemaVersion":1,"name":"sensor-filter","version":"1.2.0-rc.1+b7","description":"d","entrypoint":"atym_step",
         "variables":{"WINDOW":"5","A_B":""},"permissions":["log","sensor:temp0","publish:telemetry/temp","blob:model"],
         "resources":{"maxMemoryBytes":131072,"maxStackBytes":16384,"cpuBudgetMs":50,"sliceIntervalMs":1000},
         "healthCheck":{"probe":"atym_health","intervalMs":1000,"timeoutMs":200,"passesToConfirm":3},
         "restart":{"policy":"always","maxRetries":0,"backoffInitialMs":100,"backoffMaxMs":1000,"backoffMultiplierPercent":150},
         "minRuntimeVersion":"0.1.0","targets":["linux-x86_64","mcu-riscv32"],
         "blobs":[{"name":"model","mediaType":"application/octet-stream","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":12}]}
        """;

    private static ContainerConfig Parse(string json) => ContainerConfigJson.Parse(Encoding.UTF8.GetBytes(json));

    private static IReadOnlyList<Problem> ErrorsOf(string json) =>
        Assert.Throws<ContainerConfigException>(() => Parse(json)).Problems;

    [Fact]
    public void Reads_every_field()
    {
        var c = Parse(Full);
        Assert.Equal(("sensor-filter", "1.2.0-rc.1+b7", "atym_step"), (c.Name, c.Version!.ToString(), c.Entrypoint));
        Assert.Equal(["A_B", "WINDOW"], c.Variables.Keys);
        Assert.Equal(4, c.Permissions.Count);
        Assert.True(c.Grants(Capability.Parse("sensor:temp0")));
        Assert.Equal(131072, c.Resources.MaxMemoryBytes);
        Assert.Equal(("atym_health", 3), (c.HealthCheck!.Probe, c.HealthCheck.PassesToConfirm));
        Assert.Equal((RestartMode.Always, 150), (c.Restart.Mode, c.Restart.BackoffMultiplierPercent));
        Assert.Equal("0.1.0", c.MinRuntimeVersion!.ToString());
        Assert.Equal(["linux-x86_64", "mcu-riscv32"], c.Targets);
        Assert.Equal(12, Assert.Single(c.Blobs).Size);
    }

    [Fact]
    public void Canonical_serialization_is_stable_and_round_trips()
    {
        var config = Parse(Full);
        var once = ContainerConfigJson.Serialize(config);
        Assert.Equal(config, ContainerConfigJson.Parse(once));
        Assert.Equal(once, ContainerConfigJson.Serialize(ContainerConfigJson.Parse(once)));
        Assert.StartsWith("{\"schemaVersion\":1,\"name\":\"sensor-filter\",\"version\":\"1.2.0-rc.1+b7\"", Encoding.UTF8.GetString(once));
    }

    [Fact]
    public void Minimal_config_gets_documented_defaults()
    {
        var c = Parse("""{"name":"a","version":"0.1.0"}""");
        Assert.Equal(("_start", RestartMode.OnFailure, ResourceLimits.DefaultMaxMemoryBytes), (c.Entrypoint, c.Restart.Mode, c.Resources.MaxMemoryBytes));
        Assert.Null(c.HealthCheck);
        Assert.Empty(c.Targets);
    }

    [Fact]
    public void Reports_every_error_at_once_with_its_json_path()
    {
        var errors = ErrorsOf("""
            {"schemaVersion":2,"name":"Bad_Name","version":"1.0","entrypoint":"9x","variables":{"1bad":"x","OK":5},
             "permissions":["log","log","teleport","blob:nope"],"resources":{"maxMemoryBytes":1000,"extra":1},
             "healthCheck":{"probe":"bad-probe","intervalMs":100,"timeoutMs":500,"passesToConfirm":0},
             "restart":{"policy":"sometimes","backoffInitialMs":10,"backoffMaxMs":5},
             "targets":["esp32","linux-x86_64","linux-x86_64"],"unknown":true}
            """);
        string[] expectedPaths =
        [
            "$.schemaVersion", "$.name", "$.version", "$.entrypoint", "$.variables['1bad']", "$.variables.OK",
            "$.permissions[1]", "$.permissions[2]", "$.permissions[3]", "$.resources.maxMemoryBytes", "$.resources.extra",
            "$.healthCheck.probe", "$.healthCheck.timeoutMs", "$.healthCheck.passesToConfirm", "$.restart.policy",
            "$.restart.backoffMaxMs", "$.targets[0]", "$.targets[2]", "$.unknown",
        ];
        Assert.Equal(expectedPaths.Order(StringComparer.Ordinal), errors.Select(e => e.Path).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(errors, e => e is { Path: "$.permissions[1]" } && e.Message.Contains("listed twice", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is { Path: "$.permissions[2]" } && e.Message.Contains("unknown capability kind 'teleport'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is { Path: "$.targets[0]" } && e.Message.Contains("unknown device class 'esp32'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is { Path: "$.healthCheck.probe" } && e.Message.Contains("'bad-probe' is not an export name", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is { Path: "$.variables.OK" } && e.Message.Contains("must be a string, got number 5", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"name":"a"}""", "$.version", "required")]
    [InlineData("""{"version":"1.0.0"}""", "$.name", "required")]
    [InlineData("""{"name":"a","version":"1.0.0","name":"b"}""", "$.name", "duplicate key")]
    [InlineData("""{"name":"a","version":"1.0.0","permissions":"log"}""", "$.permissions", "must be an array")]
    [InlineData("""{"name":"a","version":"1.0.0","resources":{"maxMemoryBytes":65537}}""", "$.resources.maxMemoryBytes", "not a multiple")]
    [InlineData("""{"name":"a","version":"1.0.0","resources":{"cpuBudgetMs":1.5}}""", "$.resources.cpuBudgetMs", "must be an integer")]
    [InlineData("""{"name":"a","version":"1.0.0","blobs":[{"name":"m"}]}""", "$.blobs[0].digest", "required")]
    [InlineData("""{"name":"a","version":"1.0.0","blobs":[{"name":"m","mediaType":"x","digest":"sha256:1","size":1}]}""", "$.blobs[0].mediaType", "not a type/subtype")]
    [InlineData("""{"name":"a","version":"1.0.0","entrypoint":"f","healthCheck":{"probe":"f"}}""", "$.healthCheck.probe", "must differ from the entrypoint")]
    [InlineData("""{"name":"a","version":"1.0.0","healthCheck":{}}""", "$.healthCheck.probe", "required")]
    [InlineData("""{"name":"a","version":"1.0.0","permissions":["blob:model"]}""", "$.permissions[0]", "names no blob in $.blobs")]
    [InlineData("""{"name":"a","version":"1.0.0","description":"bad \udc00 surrogate"}""", "$", "malformed JSON")]
    [InlineData("[1]", "$", "must be an object")]
    [InlineData("{", "$", "malformed JSON")]
    [InlineData("{} {}", "$", "malformed JSON")]
    [InlineData("""{"name":"a","version":"1.0.0"} // c""", "$", "malformed JSON")]
    public void Reports_specific_errors(string json, string path, string message)
    {
        var errors = ErrorsOf(json);
        Assert.Contains(errors, e => e.Path == path && e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Refuses_documents_over_the_size_limit_and_depth_limit()
    {
        var big = "{\"name\":\"a\",\"version\":\"1.0.0\",\"description\":\"" + new string('x', ContainerConfigJson.MaxBytes) + "\"}";
        Assert.Contains("limit", Assert.Single(ErrorsOf(big)).Message);
        var deep = "{\"variables\":" + string.Concat(Enumerable.Repeat("{\"a\":", 40)) + "1" + new string('}', 41);
        Assert.Contains("malformed JSON", Assert.Single(ErrorsOf(deep)).Message);
    }

    [Fact]
    public void Serialize_refuses_an_invalid_config()
    {
        var e = Assert.Throws<ContainerConfigException>(() => ContainerConfigJson.Serialize(new ContainerConfig { Name = "x" }));
        Assert.Equal("$.version", Assert.Single(e.Problems).Path);
    }

    [Fact]
    public void Mutated_documents_parse_or_fail_with_ContainerConfigException_listing_errors()
    {
        var seed = Encoding.UTF8.GetBytes(Full);
        Gen.Select(Gen.Int[0, seed.Length - 1], Gen.Byte, Gen.Int[0, 2]).Array[1, 6].Sample(edits =>
        {
            var bytes = seed.ToList();
            foreach (var (at, value, kind) in edits)
            {
                var i = Math.Min(at, bytes.Count - 1);
                if (i < 0) break;
                if (kind == 0) bytes[i] = value;
                else if (kind == 1) bytes.RemoveAt(i);
                else bytes.Insert(i, value);
            }
            try
            {
                var config = ContainerConfigJson.Parse(bytes.ToArray());
                Assert.Empty(ContainerConfigValidator.Validate(config));
            }
            catch (ContainerConfigException e)
            {
                Assert.NotEmpty(e.Problems);
            }
        }, iter: 3000);
    }
}

public class VariableOverridesTests
{
    private static readonly ContainerConfig Config = ContainerConfigJson.Parse("""{"name":"a","version":"1.0.0","variables":{"WINDOW":"5","MODE":"fast"}}"""u8);

    [Fact]
    public void Overrides_replace_declared_defaults_and_keep_the_rest()
    {
        var effective = VariableOverrides.Apply(Config, new Dictionary<string, string> { ["WINDOW"] = "9" });
        Assert.Equal(new Dictionary<string, string> { ["MODE"] = "fast", ["WINDOW"] = "9" }, effective);
        Assert.Equal("5", Config.Variables["WINDOW"]);
        Assert.Equal(Config.Variables, VariableOverrides.Apply(Config, null));
    }

    [Fact]
    public void Undeclared_or_oversized_overrides_are_all_reported()
    {
        var e = Assert.Throws<ContainerConfigException>(() => VariableOverrides.Apply(Config, new Dictionary<string, string>
        {
            ["WINDOWS"] = "1",
            ["MODE"] = new string('x', 5000),
        }));
        Assert.Equal(["$.variables.MODE", "$.variables.WINDOWS"], e.Problems.Select(x => x.Path));
        Assert.Contains("declares no variable 'WINDOWS' (declared: MODE, WINDOW)", e.Problems[1].Message);
    }
}
