using System.Text;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Packing;
using AtymSecure.Oci.Wire;

namespace AtymSecure.Oci.Tests.Packing;

public sealed class PackerTests
{
    private static readonly Descriptor Layer = Descriptor.FromBytes("application/vnd.test.layer", "abc"u8,
        new Dictionary<string, string> { ["z"] = "1", ["a"] = "2" });

    private static PackOptions Options(Func<string, string?>? env = null, DateTimeOffset? created = null) => new()
    {
        Layers = [Layer],
        Annotations = new Dictionary<string, string> { ["org.example.b"] = "2", ["org.example.a"] = "1" },
        Environment = env ?? (_ => null),
        Created = created,
    };

    [Fact]
    public void Same_input_gives_the_same_bytes_and_digest_whatever_the_annotation_order()
    {
        var (d1, b1) = Packer.BuildManifest("application/vnd.test", Options());
        var reordered = Options() with { Annotations = new Dictionary<string, string> { ["org.example.a"] = "1", ["org.example.b"] = "2" } };
        var (d2, b2) = Packer.BuildManifest("application/vnd.test", reordered);
        Assert.Equal(b1, b2);
        Assert.Equal(d1.Digest, d2.Digest);
        var json = Encoding.UTF8.GetString(b1);
        Assert.True(json.IndexOf("org.example.a", StringComparison.Ordinal) < json.IndexOf("org.example.b", StringComparison.Ordinal));
        Assert.DoesNotContain(AnnotationKeys.Created, json, StringComparison.Ordinal);
    }

    [Fact]
    public void Exact_bytes_of_a_minimal_artifact_are_stable()
    {
        var (_, bytes) = Packer.BuildManifest("application/vnd.test", new PackOptions { Environment = _ => null });
        Assert.Equal(
            """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.test","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2}]}""",
            Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Created_comes_from_the_explicit_value_then_SOURCE_DATE_EPOCH_else_is_omitted()
    {
        var (_, explicitBytes) = Packer.BuildManifest("application/vnd.test", Options(env: _ => "0", created: new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(2))));
        Assert.Contains("\"org.opencontainers.image.created\":\"2024-01-02T01:04:05Z\"", Encoding.UTF8.GetString(explicitBytes), StringComparison.Ordinal);
        var (_, epochBytes) = Packer.BuildManifest("application/vnd.test", Options(env: k => k == "SOURCE_DATE_EPOCH" ? "1700000000" : null));
        Assert.Contains("\"org.opencontainers.image.created\":\"2023-11-14T22:13:20Z\"", Encoding.UTF8.GetString(epochBytes), StringComparison.Ordinal);
        var (_, ignored) = Packer.BuildManifest("application/vnd.test", Options(env: _ => "1700000000") with { UseSourceDateEpoch = false });
        Assert.DoesNotContain("created", Encoding.UTF8.GetString(ignored), StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_inputs_are_all_reported_at_once()
    {
        var e = Assert.Throws<InvalidManifestException>(() => Packer.BuildManifest("not a type", Options(env: _ => "yesterday") with
        {
            Subject = Descriptor.FromBytes("application/octet-stream", [1]),
        }));
        Assert.Contains(e.Errors, x => x.StartsWith("artifactType", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.StartsWith("SOURCE_DATE_EPOCH", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.StartsWith("subject.mediaType", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Packing_pushes_the_empty_config_and_the_manifest_and_is_idempotent()
    {
        var store = new MemoryStore();
        await store.PushBytesAsync(Layer.MediaType, "abc"u8.ToArray());
        var first = await Packer.PackManifestAsync(store, "application/vnd.test", Options());
        var second = await Packer.PackManifestAsync(store, "application/vnd.test", Options());
        Assert.Equal(first.Digest, second.Digest);
        Assert.True(await store.ExistsAsync(Packer.EmptyDescriptor));
        var node = await store.FetchNodeAsync(first);
        Assert.Equal("application/vnd.test", node.ArtifactType);
        Assert.Equal(Layer.Digest, node.Children[1].Digest);
    }
}
