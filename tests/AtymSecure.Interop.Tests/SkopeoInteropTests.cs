using AtymSecure.Interop.Tests.Infrastructure;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Remote;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Interop.Tests;

/// <summary>
/// skopeo (Debian) copies OCI layouts to our registry process and back with --preserve-digests:
/// the manifest digests must not change, and our referrers API must index what skopeo pushed.
/// </summary>
[Trait("Requires", "skopeo")]
[Trait("Requires", "process")]
public sealed class SkopeoInteropTests : IClassFixture<AtymRegistryFixture>, IDisposable
{
    private readonly AtymRegistryProcess _registry;
    private readonly TempFolder _temp = TempFolder.Create("skopeo");

    public SkopeoInteropTests(AtymRegistryFixture registry) => _registry = registry.Registry;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Image_wasm_artifact_and_referrer_round_trip_with_identical_digests()
    {
        var layout = await SampleContent.NewLayoutAsync(Path.Combine(_temp.Path, "src"));
        var image = await SampleContent.WriteImageAsync(layout, "image");
        var wasm = await SampleContent.WriteWasmAsync(layout, "wasm");
        var sbom = await SampleContent.WriteReferrerAsync(layout, image, "sbom");

        foreach (var (tag, expected) in new[] { ("image", image), ("wasm", wasm), ("sbom", sbom) })
        {
            (await Skopeo.RunAsync("copy", "--dest-tls-verify=false", "--preserve-digests",
                $"oci:{layout.Root}:{tag}", $"docker://{_registry.HostPort}/interop/app:{tag}")).EnsureSuccess($"skopeo push {tag}");
            var raw = (await Skopeo.RunAsync("inspect", "--raw", "--tls-verify=false", $"docker://{_registry.HostPort}/interop/app:{tag}"))
                .EnsureSuccess($"skopeo inspect {tag}");
            Assert.Equal(expected.Digest, Digest.Compute(System.Text.Encoding.UTF8.GetBytes(raw.StdOut.TrimEnd('\n'))));

            var back = Path.Combine(_temp.Path, "back-" + tag);
            (await Skopeo.RunAsync("copy", "--src-tls-verify=false", "--preserve-digests",
                $"docker://{_registry.HostPort}/interop/app:{tag}", $"oci:{back}:{tag}")).EnsureSuccess($"skopeo pull {tag}");
            var returned = await (await SampleContent.NewLayoutAsync(back)).ResolveAsync(tag);
            Assert.Equal(expected.Digest, returned.Digest);
        }

        // skopeo never calls the referrers API, but our registry indexed the subject on push.
        var repository = new Repository($"{_registry.HostPort}/interop/app");
        var referrers = new List<Descriptor>();
        await foreach (var d in repository.ListReferrersAsync(image)) referrers.Add(d);
        var only = Assert.Single(referrers);
        Assert.Equal(sbom.Digest, only.Digest);
        Assert.Equal("application/vnd.example.sbom.v1+json", only.ArtifactType);
        Assert.Equal("sbom", only.Annotations!["org.example.kind"]);
    }

    [Fact]
    public async Task Skopeo_pull_of_a_layer_matches_what_our_client_pushed()
    {
        var repository = new Repository($"{_registry.HostPort}/interop/files");
        var blob = new byte[3 * 1024 * 1024 + 17];
        new Random(5).NextBytes(blob);
        var layer = await repository.PushBytesAsync("application/octet-stream", blob);
        await repository.PushBytesAsync(MediaTypes.EmptyJson, "{}"u8.ToArray());
        var manifest = await SampleContent.PushManifestAsync(repository, new ImageManifest
        {
            ArtifactType = "application/vnd.example.data",
            Config = Descriptor.Empty with { Data = null },
            Layers = [layer],
        }, "data");

        var back = Path.Combine(_temp.Path, "pulled");
        (await Skopeo.RunAsync("copy", "--src-tls-verify=false", "--preserve-digests", $"docker://{_registry.HostPort}/interop/files:data", $"oci:{back}:data"))
            .EnsureSuccess("skopeo pull");
        Assert.Equal(blob, await File.ReadAllBytesAsync(Path.Combine(back, "blobs", "sha256", layer.Digest.Encoded)));
        Assert.Equal(manifest.Digest, (await (await SampleContent.NewLayoutAsync(back)).ResolveAsync("data")).Digest);
    }
}
