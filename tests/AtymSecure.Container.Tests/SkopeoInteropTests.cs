using AtymSecure.Container.Artifact;
using AtymSecure.Container.Build;
using AtymSecure.Container.Project;
using AtymSecure.Oci.Layout;
using AtymSecure.TestSupport;

namespace AtymSecure.Container.Tests;

/// <summary>
/// A third-party OCI tool reads what atym build writes: skopeo copies the layout to another layout without
/// changing the manifest digest, and the copy reads back as the same container. Fails (never skips) when
/// skopeo is missing: scripts/test-deps.sh installs it.
/// </summary>
[Trait("Requires", "skopeo")]
public class SkopeoInteropTests
{
    [Fact]
    public async Task Skopeo_copies_a_built_container_unchanged()
    {
        using var temp = TempFolder.Create("container");
        var source = temp.Folder("source");
        var project = ContainerProject.Load(TestPaths.File("samples/anomaly-detector"));
        var manifest = await ContainerBuilder.BuildAsync(project, source, new BuildOptions { Created = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000) });
        var target = temp.File("copy");

        (await ExternalTool.RunAsync("skopeo", ["--insecure-policy", "copy", $"oci:{source}:1.0.0", $"oci:{target}:copied"],
            installHint: "apt-get install skopeo (scripts/test-deps.sh does)")).EnsureSuccess("skopeo copy");

        var copy = await OciLayoutStore.OpenAsync(target);
        var copied = await copy.ResolveAsync("copied");
        Assert.Equal(manifest.Digest, copied.Digest);
        var artifact = await ContainerArtifactReader.ReadAsync(copy, copied);
        Assert.Equal("anomaly-detector", artifact.Config.Name);
        Assert.Equal(File.ReadAllBytes(TestPaths.File("samples/anomaly-detector/model.bin")), artifact.Blobs["model"].ToArray());
    }
}
