using System.Text;
using AtymSecure.Oci.Wire;
using AtymSecure.Registry.Storage;
using CsCheck;

namespace AtymSecure.Registry.Tests.Storage;

public sealed class ManifestFactsTests
{
    private const string Image = """
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.example",
         "config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},
         "layers":[{"mediaType":"application/x","digest":"sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e","size":0,"urls":["https://x"]}],
         "subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},
         "annotations":{"org.opencontainers.image.created":"2026-01-01T00:00:00Z"},"unknownField":{"kept":true}}
        """;

    [Fact]
    public void Reads_references_subject_artifact_type_and_annotations()
    {
        var facts = ManifestFacts.Parse(Encoding.UTF8.GetBytes(Image), null);
        Assert.Equal(MediaTypes.ImageManifest, facts.MediaType);
        Assert.False(facts.IsIndex);
        Assert.Equal("application/vnd.example", facts.ArtifactType);
        Assert.Equal(Descriptor.Empty.Digest, facts.Subject);
        Assert.Equal(2, facts.Blobs.Count);
        Assert.True(facts.Blobs[1].External);
        Assert.Equal("2026-01-01T00:00:00Z", facts.Annotations!["org.opencontainers.image.created"]);
    }

    [Fact]
    public void Artifact_type_falls_back_to_config_media_type_for_image_manifests_only()
    {
        var manifest = Image.Replace("\"artifactType\":\"application/vnd.example\",", "", StringComparison.Ordinal);
        Assert.Equal(MediaTypes.EmptyJson, ManifestFacts.Parse(Encoding.UTF8.GetBytes(manifest), null).ArtifactType);
        var index = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}""";
        Assert.Null(ManifestFacts.Parse(Encoding.UTF8.GetBytes(index), null).ArtifactType);
    }

    [Fact]
    public void Reports_every_problem_with_its_path()
    {
        var bad = """{"schemaVersion":3,"config":{"mediaType":"nope","digest":"sha256:xyz","size":-1},"layers":[{"size":"big"}],"annotations":{"a":1}}""";
        var error = Assert.Throws<InvalidManifestException>(() => ManifestFacts.Parse(Encoding.UTF8.GetBytes(bad), MediaTypes.ImageManifest));
        Assert.Contains("$.schemaVersion: must be 2", error.Errors);
        Assert.Contains(error.Errors, e => e.StartsWith("$.config.mediaType", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("$.config.digest", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("$.config.size", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("$.layers[0].digest", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("$.annotations.a", StringComparison.Ordinal));
    }

    [Fact]
    public void Hostile_nesting_is_refused_not_crashed()
    {
        var deep = new string('[', 10_000) + new string(']', 10_000);
        Assert.Throws<InvalidManifestException>(() => ManifestFacts.Parse(Encoding.UTF8.GetBytes(deep), MediaTypes.ImageManifest));
    }

    [Fact]
    public void Random_and_mutated_documents_either_parse_or_throw_invalid_manifest()
    {
        var valid = Encoding.UTF8.GetBytes(Image);
        var mutated = Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte, Gen.Int[0, 40]).Select((at, value, cut) =>
        {
            var copy = (byte[])valid.Clone();
            copy[at] = value;
            return copy[..Math.Max(0, copy.Length - cut)];
        });
        Gen.OneOf(Gen.Byte.Array[0, 300], mutated).Sample(bytes =>
        {
            try
            {
                ManifestFacts.Parse(bytes, null);
            }
            catch (InvalidManifestException)
            {
            }
        }, iter: 2000);
    }
}
