using AtymSecure.Oci.Content;
using AtymSecure.Oci.Packing;
using AtymSecure.Oci.Wire;
using CsCheck;

namespace AtymSecure.Oci.Tests.Packing;

public sealed class PackerPropertyTests
{
    private static readonly Gen<string> Key = Gen.Char["abcdefxyz._-"].Array[1, 12].Select(a => "org.test." + new string(a));
    private static readonly Gen<string> Value = Gen.String[0, 20];
    private static readonly Gen<Dictionary<string, string>> Annotations = Gen.Select(Key, Value).Array[0, 8]
        .Select(pairs => pairs.GroupBy(p => p.Item1).ToDictionary(g => g.Key, g => g.First().Item2));
    private static readonly Gen<Descriptor> Layers = Gen.Select(Gen.Byte.Array[0, 40], Annotations,
        (b, a) => Descriptor.FromBytes("application/vnd.test.layer", b, a.Count == 0 ? null : a));

    [Fact]
    public void Same_content_in_any_map_order_packs_to_the_same_digest_and_parses_back()
    {
        Gen.Select(Layers.Array[0, 5], Annotations, Gen.Long[0, 253402300799], Gen.Bool).Sample((layers, annotations, epoch, useEpoch) =>
        {
            PackOptions Options(IReadOnlyDictionary<string, string> a) => new()
            {
                Layers = layers,
                Annotations = a,
                Environment = _ => useEpoch ? epoch.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
            };
            var reversed = annotations.Reverse().ToDictionary(kv => kv.Key, kv => kv.Value);
            var (d1, b1) = Packer.BuildManifest("application/vnd.test", Options(annotations));
            var (d2, b2) = Packer.BuildManifest("application/vnd.test", Options(reversed));
            Assert.Equal(b1, b2);
            Assert.Equal(d1.Digest, d2.Digest);
            var node = ManifestNode.Parse(d1 with { Annotations = null, ArtifactType = null }, b1);
            Assert.Equal("application/vnd.test", node.ArtifactType);
            Assert.Equal(layers.Length == 0 ? 2 : layers.Length + 1, node.Children.Count);
            Assert.Equal(useEpoch, node.Annotations?.ContainsKey(AnnotationKeys.Created) == true);
        }, iter: 500);
    }
}
