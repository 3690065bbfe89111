using System.Text;
using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Packing;
using AtymSecure.Oci.Wire;
using AtymSecure.Delivery.Compilation;
using AtymSecure.Signer.Keys;
using AtymSecure.Signer.Verification;
using AtymSecure.Signer.Wire;

namespace AtymSecure.Delivery.Tests.Compilation;

[Collection(TestKernelCollection.Name)]
[Trait("Requires", "clang")]
public sealed class CompiledArtifactPublisherTests(TestKernelFixture kernel)
{
    private const string Repository = "atym/kernel";

    private async Task<Descriptor> PushContainerAsync(MemoryStore store)
    {
        var module = await store.PushBytesAsync("application/wasm", kernel.Wasm);
        return await Packer.PackManifestAsync(store, "application/vnd.atym.container.v1", new PackOptions { Layers = [module] });
    }

    [Theory]
    [InlineData("linux-x86_64")]
    [InlineData("mcu-cortex-m4")]
    public async Task Output_is_attached_as_a_signed_referrer_with_class_and_triple_annotations(string deviceClass)
    {
        var store = new MemoryStore();
        var container = await PushContainerAsync(store);
        var artifact = await kernel.CompileOnceAsync(DeviceClassTable.Get(deviceClass));
        using var key = KeyGenerator.Generate(SignatureAlgorithm.Ed25519);

        var published = await CompiledArtifactPublisher.PublishAsync(store, container, artifact, key, Repository);

        var found = await CompiledArtifactPublisher.FindAsync(store, container, deviceClass, artifact.Recipe.Key);
        var referrer = Assert.Single(found);
        Assert.Equal(published.Manifest.Digest, referrer.Digest);
        Assert.Equal(CompiledArtifactPublisher.ArtifactType, referrer.ArtifactType);
        Assert.Equal(deviceClass, referrer.Annotations![CompiledArtifactPublisher.DeviceClassAnnotation]);
        Assert.Equal(artifact.Recipe.Key.Triple, referrer.Annotations[CompiledArtifactPublisher.TripleAnnotation]);
        Assert.Empty(await CompiledArtifactPublisher.FindAsync(store, container, "mcu-riscv32"));

        var stored = await store.FetchAllAsync(published.Output, long.MaxValue);
        Assert.Equal(artifact.Bytes.ToArray(), stored);
        Assert.Equal(artifact.MediaType, published.Output.MediaType);

        var report = await ArtifactVerifier.VerifyAsync(store, published.Manifest.Digest.ToString(), TrustedKeys.Of(key.PublicKey));
        Assert.True(report.IsVerified, string.Join("; ", report.Results));
        using var stranger = KeyGenerator.Generate(SignatureAlgorithm.Ed25519);
        var wrongKey = await ArtifactVerifier.VerifyAsync(store, published.Manifest.Digest.ToString(), TrustedKeys.Of(stranger.PublicKey));
        Assert.False(wrongKey.IsVerified);
    }

    [Fact]
    public async Task Provenance_wraps_the_recipe_in_slsa_v1_about_the_output_manifest()
    {
        var store = new MemoryStore();
        var container = await PushContainerAsync(store);
        var artifact = await kernel.CompileOnceAsync(DeviceClassTable.LinuxX86_64);
        using var key = KeyGenerator.Generate(SignatureAlgorithm.EcdsaP256Sha256);

        var published = await CompiledArtifactPublisher.PublishAsync(store, container, artifact, key, Repository);

        var envelope = published.Provenance!.Bundle.DsseEnvelope!;
        var statement = InTotoStatement.Parse(envelope.Payload);
        Assert.Equal(SlsaProvenance.PredicateType, statement.PredicateType);
        Assert.True(statement.HasSubjectDigest("sha256", published.Manifest.Digest.Encoded));
        var provenance = SlsaProvenance.Parse(Encoding.UTF8.GetBytes(statement.Predicate!.Value.GetRawText()));
        Assert.Equal(CompiledArtifactProvenance.BuildType, provenance.BuildDefinition!.BuildType);
        var recipe = CompilationRecipe.Parse(Encoding.UTF8.GetBytes(provenance.BuildDefinition.InternalParameters!.Value.GetRawText()));
        Assert.Equal(artifact.Recipe.ToJsonBytes(), recipe.ToJsonBytes());
        Assert.Contains(provenance.BuildDefinition.ResolvedDependencies!, d => d.Digest!["sha256"] == container.Digest.Encoded);
        Assert.Contains(provenance.BuildDefinition.ResolvedDependencies!, d => "sha256:" + d.Digest!["sha256"] == artifact.Recipe.Source.Digest);
    }

    [Fact]
    public async Task Publishing_without_a_timestamp_gives_the_same_output_manifest()
    {
        var artifact = await kernel.CompileOnceAsync(DeviceClassTable.LinuxX86_64);
        using var key = KeyGenerator.Generate(SignatureAlgorithm.Ed25519);
        var a = new MemoryStore();
        var b = new MemoryStore();

        var first = await CompiledArtifactPublisher.PublishAsync(a, await PushContainerAsync(a), artifact, key, Repository);
        var second = await CompiledArtifactPublisher.PublishAsync(b, await PushContainerAsync(b), artifact, key, Repository);

        Assert.Equal(first.Manifest.Digest, second.Manifest.Digest);
    }

    [Fact]
    public async Task An_artifact_whose_bytes_do_not_match_its_recipe_is_refused()
    {
        var store = new MemoryStore();
        var container = await PushContainerAsync(store);
        var artifact = await kernel.CompileOnceAsync(DeviceClassTable.LinuxX86_64);
        var tampered = artifact with { Bytes = artifact.Bytes.ToArray().Reverse().ToArray() };
        using var key = KeyGenerator.Generate(SignatureAlgorithm.Ed25519);

        var ex = await Assert.ThrowsAsync<CompilationRecipeFormatException>(
            () => CompiledArtifactPublisher.PublishAsync(store, container, tampered, key, Repository));
        Assert.Contains(ex.Problems, p => p.Code == CompilationRecipeProblemCodes.OutputMismatch && p.Path == "$.output.digest");
    }
}
