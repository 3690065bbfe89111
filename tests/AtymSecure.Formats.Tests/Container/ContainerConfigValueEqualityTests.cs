using System.Text;
using AtymSecure.Formats.Container;
using AtymSecure.TestSupport;

namespace AtymSecure.Formats.Tests.Container;

/// <summary>Container config records compare by value, so tests and the policy diff compare configs, not their JSON bytes.</summary>
public class ContainerConfigValueEqualityTests
{
    private const string Full = """
        {"schemaVersion":1,"name":"sensor-filter","version":"1.2.0","description":"d","entrypoint":"step",
         "variables":{"A":"1","B":"2"},"permissions":["log","sensor:temp0"],
         "resources":{"maxMemoryBytes":131072,"maxStackBytes":8192,"cpuBudgetMs":20,"sliceIntervalMs":50},
         "healthCheck":{"probe":"atym_health","intervalMs":500,"timeoutMs":100,"passesToConfirm":2},
         "restart":{"policy":"always","maxRetries":1,"backoffInitialMs":10,"backoffMaxMs":20,"backoffMultiplierPercent":150},
         "minRuntimeVersion":"0.1.0","targets":["linux-x86_64"],
         "blobs":[{"name":"model","mediaType":"application/octet-stream","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":12}]}
        """;

    private static ContainerConfig Parse(string json) => ContainerConfigJson.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Configs_read_twice_are_equal_and_hash_alike()
    {
        var a = Parse(Full);
        var b = Parse(Full);
        Assert.NotSame(a.Permissions, b.Permissions);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Fact]
    public void Variables_compare_in_any_order_and_lists_in_order()
    {
        var a = Parse(Full);
        Assert.Equal(a, a with { Variables = new Dictionary<string, string> { ["B"] = "2", ["A"] = "1" } });
        Assert.NotEqual(a, a with { Variables = new Dictionary<string, string> { ["A"] = "1", ["B"] = "3" } });
        Assert.NotEqual(a, a with { Permissions = [.. a.Permissions.Reverse()] });
    }

    [Fact]
    public void Every_config_field_takes_part_in_equality()
    {
        var different = new ContainerConfig
        {
            SchemaVersion = 2, Name = "other", Version = SemanticVersion.Parse("9.0.0"), Description = null, Entrypoint = "_start",
            Variables = new Dictionary<string, string> { ["C"] = "3" }, Permissions = [Capability.Kv], Resources = new ResourceLimits(),
            HealthCheck = null, Restart = new RestartPolicy(), MinRuntimeVersion = null, Targets = [], Blobs = [],
        };
        Assert.Empty(ValueEqualityProbe.PropertiesIgnoredByEquals(Parse(Full), different));
    }

    [Fact]
    public void Wasm_artifact_configs_compare_layer_digests_by_value()
    {
        var a = new WasmArtifactConfig { Created = DateTimeOffset.UnixEpoch, Author = "a", LayerDigests = ["sha256:aa", "sha256:bb"] };
        Assert.Equal(a, a with { LayerDigests = ["sha256:aa", "sha256:bb"] });
        Assert.Empty(ValueEqualityProbe.PropertiesIgnoredByEquals(a,
            new WasmArtifactConfig { Created = DateTimeOffset.MaxValue, Author = null, Os = WasmArtifactConfig.ComponentOs, LayerDigests = [] }));
    }
}
