using AtymSecure.Delivery.Compilation;
using AtymSecure.Delivery.Tests.Support;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Crypto;
using AtymSecure.OtaReleases.Import;
using AtymSecure.OtaReleases.Jobs;
using AtymSecure.OtaReleases.Tests.Support;
using AtymSecure.Primitives;
using AtymSecure.Signer.Verification;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaReleases.Tests.Import;

/// <summary>
/// <see cref="ReleaseImporter"/> against our registry on loopback with the real samples, the real vendor and
/// compiler keys and the real compiler for linux-x86_64.
/// </summary>
public sealed class ReleaseImporterTests(ReleaseWorld world) : IClassFixture<ReleaseWorld>
{
    [Fact]
    public async Task Import_compiles_the_fleet_classes_the_container_targets_attaches_compiler_signed_outputs_and_records_counter_1()
    {
        var releases = new MemoryReleaseStore();
        var compiler = new ScriptedCompiler();
        // mcu-cortex-m4 is in the fleet but not in sensor-filter's targets: not compiled, not a failure.
        var release = await world.Importer(releases, compiler, null, "linux-x86_64", "mcu-cortex-m4").ImportAsync(new ReleaseRequest(world.SensorFilter("1.0.0")));

        Assert.Equal("sensor-filter", release.Container);
        Assert.Equal("1.0.0", release.Version);
        Assert.Equal(1ul, release.SecurityCounter);
        Assert.Equal(["linux-x86_64"], release.Images.Select(i => i.DeviceClass));
        Assert.Empty(release.Failures);
        Assert.Equal(SignedSampleStore.Now, release.ImportedAt);
        Assert.Equal(SignedSampleStore.Now.AddDays(180), release.BundleExpires);
        var image = release.Images[0];
        Assert.Equal(ArtifactKind.WasmtimeNative, image.CodeKind);
        Assert.True(Digest.IsSha256Text(image.ImageDigest));

        // The attached output verifies under the compiler key, not the vendor key.
        var repository = world.Registry.Repository("samples/sensor-filter");
        var compilerKey = await world.CompilerKey.GetAsync("linux-x86_64");
        var report = await ArtifactVerifier.VerifyAsync(repository, image.OutputReferrer, TrustedKeys.Of(VerificationKey.FromDer(compilerKey.PublicKeySpki.Span)));
        report.ThrowIfNotVerified();
        var byVendor = await ArtifactVerifier.VerifyAsync(repository, image.OutputReferrer, world.Samples.TrustedKeys);
        Assert.False(byVendor.IsVerified);
    }

    [Fact]
    public async Task The_same_reference_twice_is_one_release_and_a_retry_after_a_crash_before_recording_attaches_and_compiles_nothing_again()
    {
        var releases = new MemoryReleaseStore { FailNextAdd = new IOException("killed before the release was recorded") };
        var compiler = new ScriptedCompiler();
        var importer = world.Importer(releases, compiler);
        var reference = await world.FreshCopyAsync("sf-1.1.0", "1.1.0");
        await Assert.ThrowsAsync<IOException>(() => importer.ImportAsync(new ReleaseRequest(reference)));
        Assert.Equal(1, compiler.Count);

        var first = await importer.ImportAsync(new ReleaseRequest(reference));
        var again = await world.Importer(releases, compiler).ImportAsync(new ReleaseRequest(reference));

        Assert.Equal(first, again);
        Assert.Single(await releases.ListAsync());
        Assert.Equal(1, compiler.Count); // the attempt that crashed compiled; the retries reused its verified referrer
        var repository = world.Registry.Repository(reference[(reference.IndexOf('/') + 1)..reference.LastIndexOf(':')]);
        var attached = await CompiledArtifactPublisher.FindAsync(repository, await repository.ResolveAsync("1.1.0"), "linux-x86_64");
        Assert.Single(attached);
        Assert.Equal(first.Images[0].OutputReferrer, attached[0].Digest.ToString());
    }

    [Fact]
    public async Task A_release_keeps_its_predecessors_counter_a_security_release_raises_it_and_an_explicit_counter_may_not_go_below()
    {
        var releases = new MemoryReleaseStore();
        var importer = world.Importer(releases);
        var v100 = await importer.ImportAsync(new ReleaseRequest(world.SensorFilter("1.0.0")));
        var v110 = await importer.ImportAsync(new ReleaseRequest(world.SensorFilter("1.1.0"), Security: true));
        var other = await importer.ImportAsync(new ReleaseRequest(world.AnomalyDetector));

        Assert.Equal(1ul, v100.SecurityCounter);
        Assert.Equal(2ul, v110.SecurityCounter);
        Assert.True(v110.Security);
        Assert.Equal(1ul, other.SecurityCounter); // counters are per container

        var fresh = new MemoryReleaseStore();
        await world.Importer(fresh).ImportAsync(new ReleaseRequest(world.SensorFilter("1.1.0"), SecurityCounter: 7));
        var refused = await Assert.ThrowsAsync<ProblemException>(() =>
            world.Importer(fresh).ImportAsync(new ReleaseRequest(world.SensorFilter("1.0.0"), SecurityCounter: 6)));
        Assert.True(refused.Has(ReleaseProblemCodes.CounterBelowPredecessor), refused.Message);
        Assert.Equal(7ul, (await world.Importer(fresh).ImportAsync(new ReleaseRequest(world.SensorFilter("1.0.0")))).SecurityCounter);
    }

    [Fact]
    public async Task A_class_that_fails_to_compile_is_recorded_with_its_reason_and_the_release_stays_usable_for_the_others()
    {
        var releases = new MemoryReleaseStore();
        var release = await world.Importer(releases, new ScriptedCompiler("portable-pulley64"), null, "portable-pulley64", "linux-x86_64")
            .ImportAsync(new ReleaseRequest(world.AnomalyDetector, DeviceClasses: ["linux-x86_64", "portable-pulley64"]));

        // anomaly-detector does not target portable-pulley64 at all: chosen classes are the request's ∩ the targets.
        Assert.Equal(["linux-x86_64"], release.Images.Select(i => i.DeviceClass));
        Assert.Empty(release.Failures);

        var sf = await world.Importer(new MemoryReleaseStore(), new ScriptedCompiler("portable-pulley64"), null, "portable-pulley64", "linux-x86_64")
            .ImportAsync(new ReleaseRequest(world.SensorFilter("1.0.0")));
        Assert.Equal(["linux-x86_64"], sf.Images.Select(i => i.DeviceClass));
        var failure = Assert.Single(sf.Failures);
        Assert.Equal(("portable-pulley64", ReleaseProblemCodes.CompileFailed), (failure.DeviceClass, failure.Code));
        Assert.Contains("the back end crashed", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("samples/unsigned:1.1.0", ReleaseProblemCodes.ContainerUntrusted)]
    [InlineData("samples/sensor-filter:9.9.9", ReleaseProblemCodes.ContainerNotFound)]
    [InlineData("samples/nothing-here:1.0.0", ReleaseProblemCodes.ContainerNotFound)]
    public async Task A_container_not_signed_by_a_trusted_vendor_or_not_there_is_refused_before_anything_compiles(string repositoryAndTag, string code)
    {
        var compiler = new ScriptedCompiler();
        var refused = await Assert.ThrowsAsync<ProblemException>(() =>
            world.Importer(new MemoryReleaseStore(), compiler).ImportAsync(new ReleaseRequest($"{world.Registry.Host}/{repositoryAndTag}")));
        Assert.True(refused.Has(code), refused.Message);
        Assert.Equal(0, compiler.Count);
    }

    [Theory]
    [InlineData("registry.example.com/samples/sensor-filter:1.0.0", ReleaseProblemCodes.RegistryNotAllowed)]
    [InlineData("not a reference", ReleaseProblemCodes.ReferenceInvalid)]
    [InlineData("{HOST}/samples/sensor-filter", ReleaseProblemCodes.ReferenceInvalid)]
    public async Task A_reference_outside_the_servers_registry_or_without_tag_or_digest_is_refused(string reference, string code)
    {
        var refused = await Assert.ThrowsAsync<ProblemException>(() =>
            world.Importer(new MemoryReleaseStore()).ImportAsync(new ReleaseRequest(reference.Replace("{HOST}", world.Registry.Host, StringComparison.Ordinal))));
        Assert.True(refused.Has(code), refused.Message);
    }

    [Fact]
    public async Task A_registry_that_is_down_is_a_transient_failure_naming_the_registry()
    {
        var port = LoopbackPort.Next();
        var importer = new ReleaseImporter(new MemoryReleaseStore(), new RegistryAccess($"127.0.0.1:{port}", new Oci.Remote.RemoteOptions { PlainHttp = true, Retry = new Oci.Remote.RetryPolicy { MaxAttempts = 1 } }),
            world.Samples.TrustedKeys, new ConfiguredFleetClasses(["linux-x86_64"]), world.CompilerKey, TimeProvider.System, TimeSpan.FromDays(1));
        var e = await Assert.ThrowsAsync<TransientJobException>(() => importer.ImportAsync(new ReleaseRequest($"127.0.0.1:{port}/samples/sensor-filter:1.0.0")));
        Assert.Equal(ReleaseProblemCodes.RegistryUnavailable, e.Problem.Code);
        Assert.Contains("registry is unavailable", e.Message, StringComparison.Ordinal);
    }
}
