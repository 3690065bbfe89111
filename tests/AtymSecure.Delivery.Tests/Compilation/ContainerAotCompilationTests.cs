using AtymSecure.Container.Build;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Oci.Content;
using AtymSecure.Delivery.Compilation;
using AtymSecure.Signer.Keys;
using AtymSecure.Signer.Verification;

namespace AtymSecure.Delivery.Tests.Compilation;

/// <summary>The <c>atym compile</c> path: a real container in an OCI store, compiled and attached.</summary>
[Collection(TestKernelCollection.Name)]
[Trait("Requires", "clang")]
public sealed class ContainerAotCompilationTests(TestKernelFixture kernel)
{
    private async Task<MemoryStore> StoreContainerAsync(params string[] targets)
    {
        var config = new ContainerConfig
        {
            Name = "kernel",
            Version = SemanticVersion.Parse("1.0.0"),
            Entrypoint = "entry",
            Targets = targets,
        };
        var store = new MemoryStore();
        await ContainerBuilder.StoreAsync(ContainerPacker.Pack(kernel.Wasm, config, []), store, "1.0.0");
        return store;
    }

    [Fact]
    public async Task Compile_reads_the_container_compiles_its_module_and_attaches_a_verifiable_output()
    {
        var store = await StoreContainerAsync("linux-x86_64", "mcu-cortex-m4");
        using var key = KeyGenerator.Generate(SignatureAlgorithm.EcdsaP256Sha256);

        var result = await ContainerAotCompilation.CompileAndPublishAsync(store, "1.0.0", "linux-x86_64", key, "atym/kernel");

        Assert.Equal(RecipeSubject.Of(kernel.Wasm).Digest, result.Artifact.Recipe.Source.Digest);
        var found = await CompiledArtifactPublisher.FindAsync(store, result.Container, "linux-x86_64");
        Assert.Equal(result.Published.Manifest.Digest, Assert.Single(found).Digest);
        var report = await ArtifactVerifier.VerifyAsync(store, result.Published.Manifest.Digest.ToString(), TrustedKeys.Of(key.PublicKey));
        Assert.True(report.IsVerified, string.Join("; ", report.Results));
    }

    [Fact]
    public async Task A_class_the_container_does_not_target_is_refused()
    {
        var store = await StoreContainerAsync("mcu-cortex-m4");

        var ex = await Assert.ThrowsAsync<AotTargetNotSupportedException>(
            () => ContainerAotCompilation.CompileAndPublishAsync(store, "1.0.0", "linux-x86_64", null, "atym/kernel"));
        Assert.Contains("mcu-cortex-m4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_key_the_output_is_attached_unsigned()
    {
        var store = await StoreContainerAsync();

        var result = await ContainerAotCompilation.CompileAndPublishAsync(store, "1.0.0", "portable-pulley64", null, "atym/kernel");

        Assert.Null(result.Published.Signature);
        Assert.Null(result.Published.Provenance);
        Assert.Single(await CompiledArtifactPublisher.FindAsync(store, result.Container, "portable-pulley64"));
        using var anyKey = KeyGenerator.Generate(SignatureAlgorithm.Ed25519);
        var report = await ArtifactVerifier.VerifyAsync(store, result.Published.Manifest.Digest.ToString(), TrustedKeys.Of(anyKey.PublicKey));
        Assert.False(report.IsVerified);
        Assert.Empty(report.Results); // nothing attached to verify
    }

    [Fact]
    public async Task Unknown_device_class_is_refused_before_any_work()
    {
        var store = await StoreContainerAsync();
        await Assert.ThrowsAsync<KeyNotFoundException>(
            () => ContainerAotCompilation.CompileAndPublishAsync(store, "1.0.0", "mcu-z80", null, "atym/kernel"));
    }
}
