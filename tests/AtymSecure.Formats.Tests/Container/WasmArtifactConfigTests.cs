using System.Text;
using AtymSecure.Formats.Container;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Tests.Container;

public class WasmArtifactConfigTests
{
    [Fact]
    public void Serializes_the_tag_runtime_layout_canonically_and_reads_it_back()
    {
        var config = new WasmArtifactConfig { Created = DateTimeOffset.FromUnixTimeSeconds(1700000000), LayerDigests = ["sha256:aa", "sha256:bb"] };
        var json = Encoding.UTF8.GetString(config.Serialize());
        Assert.Equal("""{"created":"2023-11-14T22:13:20Z","architecture":"wasm","os":"wasip1","layerDigests":["sha256:aa","sha256:bb"]}""", json);
        var back = WasmArtifactConfig.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Equal(config, back);
    }

    [Fact]
    public void Tolerates_unknown_fields_and_component_metadata_from_other_tools()
    {
        var json = """{"created":"2024-01-01T00:00:00Z","author":"wkg","architecture":"wasm","os":"wasip2","layerDigests":[],"component":{"exports":["x"]},"future":1}""";
        var c = WasmArtifactConfig.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Equal(("wkg", "wasip2"), (c.Author, c.Os));
    }

    [Fact]
    public void Reports_every_problem()
    {
        var e = Assert.Throws<ContainerConfigException>(() =>
            WasmArtifactConfig.Parse("""{"created":"yesterday","architecture":"amd64","os":"linux","layerDigests":[1]}"""u8));
        Assert.Equal(["$.architecture", "$.created", "$.layerDigests[0]", "$.os"], e.Problems.Select(x => x.Path).Order(StringComparer.Ordinal));
    }
}
