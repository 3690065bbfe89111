using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.ContainerImage;
using AtymSecure.Runtime.Artifacts;
using AtymSecure.DeviceAgent.Trials;
using AtymSecure.DeviceAgent.Tests.Support;

namespace AtymSecure.DeviceAgent.Tests.Trials;

/// <summary>What a slot holds must be the container, the class and the code it claims, or it does not run.</summary>
public sealed class SlotImageLoaderTests
{
    [Fact]
    public void A_sample_image_becomes_a_spec_with_the_signed_grants_and_verified_blobs()
    {
        var spec = SlotImageLoader.FromImage(TestBundles.Image("anomaly-detector", ["log", "blob:model"]), "anomaly-detector", "linux-x86_64");
        Assert.Equal("1.0.0", spec.Version);
        Assert.Equal(["blob:model", "log"], spec.Grants.Capabilities.Select(c => c.ToString()).Order(StringComparer.Ordinal).ToArray());
        Assert.Contains("model", spec.Blobs.Names);
    }

    [Fact]
    public void An_image_of_another_container_is_refused() =>
        Assert.Contains("is of container 'sensor-filter'", Assert.Throws<ArtifactVerificationException>(
            () => SlotImageLoader.FromImage(TestBundles.Image("sensor-filter"), "anomaly-detector", "linux-x86_64")).Message, StringComparison.Ordinal);

    [Fact]
    public void Code_compiled_for_another_class_is_refused()
    {
        var project = AtymSecure.Container.Project.ContainerProject.Load(Path.Combine(RepositoryRoot.Samples, "sensor-filter"));
        var wasm = File.ReadAllBytes(project.ModulePath);
        var image = ContainerImageWriter.Write(project.Config, project.Config.Permissions, ArtifactKind.WasmtimePulley, "portable-pulley64", "pulley64", wasm,
            new Dictionary<string, ReadOnlyMemory<byte>>());
        var e = Assert.Throws<ArtifactVerificationException>(() => SlotImageLoader.FromImage(image, "sensor-filter", "linux-x86_64"));
        Assert.Contains("compiled for 'portable-pulley64'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_that_are_not_a_container_image_are_refused_with_the_reason()
    {
        var e = Assert.Throws<ArtifactVerificationException>(() => SlotImageLoader.FromImage(new byte[512], "sensor-filter", "linux-x86_64"));
        Assert.Contains("not a valid container image", e.Message, StringComparison.Ordinal);
    }
}
