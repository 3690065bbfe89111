using AtymSecure.Delivery.Bundles;
using AtymSecure.Delivery.Tests.Support;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.Delta;
using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaStore;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.OtaReleases.Tests.Support;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaReleases.Tests.Bundles;

/// <summary>
/// <see cref="BundleCutCache"/> with the real cutter over imported releases (registry, compiler key, Wasmtime), and a
/// gated counting cutter where the test needs to hold cuts in flight.
/// </summary>
public sealed class BundleCutCacheTests(ReleasedSamples samples) : IClassFixture<ReleasedSamples>, IDisposable
{
    private readonly TempFolder _folder = TempFolder.Create("bundle-cache");

    public void Dispose() => _folder.Dispose();

    private static BundleCutRequest Full(Release release) => Request(release, null);

    private static BundleCutRequest Request(Release target, Release? baseRelease)
    {
        var image = target.ImageFor("linux-x86_64")!;
        return new BundleCutRequest(new BundleCutKey(baseRelease?.ImageFor("linux-x86_64")!.ImageDigest, target.Id, image.ImageDigest, "linux-x86_64", image.Grants),
            target, baseRelease);
    }

    /// <summary>Reads the bundle through the store (checked against its digest) and installs it as a device would.</summary>
    private async Task<(BundleHeader Header, byte[] Image)> InstallAsync(IBundleStore store, BundleLocation location, byte[]? installed)
    {
        var bytes = (await store.ReadAllAsync(location.Sha256))!;
        Assert.Equal(location.Length, (ulong)bytes.Length);
        await using var stream = new MemoryStream(bytes, writable: false);
        var envelope = await BundleEnvelope.ReadAsync(stream);
        var key = await samples.World.CompilerKey.GetAsync("linux-x86_64");
        var verified = BundleVerifier.Verify(envelope, BundleTrustAnchors.Of(TrustedBundleKey.Compiler(VerificationKey.FromDer(key.PublicKeySpki.Span))),
            new BundleExpectations("linux-x86_64", SignedSampleStore.Now.AddDays(1), 0, 64 << 20, installed is null ? null : Digest.Compute(installed)));
        using var payload = new MemoryStream();
        await verified.OpenPayload(stream).CopyToAsync(payload);
        var image = verified.Header.PayloadKind == PayloadKind.Full ? payload.ToArray() : DeltaPatchApplier.Apply(payload.ToArray(), installed!);
        Assert.Equal(verified.Header.TargetDigest, Digest.Compute(image));
        return (verified.Header, image);
    }

    [Fact]
    public async Task A_full_cut_is_signed_by_the_compiler_key_with_created_expiry_and_counter_from_the_release_and_installs()
    {
        var store = new BundleFileStore(_folder.Folder("a"));
        using var cache = new BundleCutCache(store, samples.Cutter);
        var location = await cache.GetOrCutAsync(Full(samples.V100));

        Assert.False(location.IsDelta);
        Assert.Equal($"/bundles/sha256/{location.Sha256}", location.Url);
        var (header, image) = await InstallAsync(store, location, null);
        Assert.Equal((ulong)samples.V100.ImportedAt.ToUnixTimeSeconds(), header.CreatedUnixSeconds);
        Assert.Equal((ulong)samples.V100.BundleExpires.ToUnixTimeSeconds(), header.ExpiresUnixSeconds);
        Assert.Equal(samples.V100.SecurityCounter, header.SecurityCounter);
        Assert.Equal(samples.V100.Images[0].ImageDigest, Digest.Compute(image).ToString());
    }

    [Fact]
    public async Task Two_replicas_cutting_the_same_key_in_two_folders_write_the_same_bytes()
    {
        var one = new BundleFileStore(_folder.Folder("replica-1"));
        var two = new BundleFileStore(_folder.Folder("replica-2"));
        using var first = new BundleCutCache(one, samples.Cutter);
        using var second = new BundleCutCache(two, samples.Cutter);
        var a = await first.GetOrCutAsync(Request(samples.V110, samples.V100));
        var b = await second.GetOrCutAsync(Request(samples.V110, samples.V100));

        Assert.Equal(a, b);
        Assert.Equal(await File.ReadAllBytesAsync(one.Find(a.Sha256)!.FullName), await File.ReadAllBytesAsync(two.Find(b.Sha256)!.FullName));
    }

    [Fact]
    [Trait("Requires", "s3")]
    public async Task Two_replicas_on_one_object_store_cut_a_key_once_and_the_second_finds_it()
    {
        var bucket = CephObjectGateway.NewBucketName("cut-cache");
        using (var create = AtymSecure.ObjectStore.S3ObjectStore.Open(CephObjectGateway.Shared.Url(bucket)))
            await create.CreateBucketAsync();
        using var one = BundleStores.OpenObjectStore(CephObjectGateway.Shared.Url(bucket), TimeProvider.System);
        using var two = BundleStores.OpenObjectStore(CephObjectGateway.Shared.Url(bucket), TimeProvider.System);
        var firstCutter = new GatedCutter(samples.Cutter);
        var secondCutter = new GatedCutter(samples.Cutter);
        firstCutter.Open();
        secondCutter.Open();
        using var first = new BundleCutCache(one, firstCutter);
        using var second = new BundleCutCache(two, secondCutter);
        var baseImage = (await InstallAsync(one, await first.GetOrCutAsync(Full(samples.V100)), null)).Image;
        var a = await first.GetOrCutAsync(Request(samples.V110, samples.V100));
        var b = await second.GetOrCutAsync(Request(samples.V110, samples.V100));

        Assert.Equal(a, b);
        Assert.Equal((2, 0), (firstCutter.Started, secondCutter.Started)); // the second replica read the first's cut index
        var (header, image) = await InstallAsync(two, b, baseImage);
        Assert.Equal(PayloadKind.Delta, header.PayloadKind);
        Assert.Equal(samples.V110.Images[0].ImageDigest, Digest.Compute(image).ToString());
    }

    [Fact]
    public async Task A_device_on_the_previous_release_gets_a_delta_smaller_than_the_full_bundle_that_yields_the_new_image()
    {
        var store = new BundleFileStore(_folder.Folder("delta"));
        using var cache = new BundleCutCache(store, samples.Cutter);
        var full = await cache.GetOrCutAsync(Full(samples.V110));
        var delta = await cache.GetOrCutAsync(Request(samples.V110, samples.V100));
        var baseImage = (await InstallAsync(store, await cache.GetOrCutAsync(Full(samples.V100)), null)).Image;

        Assert.True(delta.IsDelta);
        Assert.True(delta.Length < full.Length / 2, $"delta {delta.Length} bytes, full {full.Length}");
        var (header, image) = await InstallAsync(store, delta, baseImage);
        Assert.Equal(PayloadKind.Delta, header.PayloadKind);
        Assert.Equal(samples.V110.Images[0].ImageDigest, Digest.Compute(image).ToString());
    }

    [Fact]
    public async Task Many_concurrent_requests_for_one_key_wait_for_one_cut()
    {
        var gated = new GatedCutter(samples.Cutter);
        using var cache = new BundleCutCache(new BundleFileStore(_folder.Folder("single-flight")), gated);
        var callers = Enumerable.Range(0, 64).Select(_ => Task.Run(() => cache.GetOrCutAsync(Full(samples.V100)))).ToList();
        await Wait.UntilAsync(() => gated.Started == 1, "the first cut to start");
        gated.Open();
        var results = await Task.WhenAll(callers);

        Assert.Single(results.Distinct());
        Assert.Equal(results[0], await cache.GetOrCutAsync(Full(samples.V100))); // later requests: from the cache
        Assert.Equal(1, gated.Started);
    }

    [Fact]
    public async Task A_waiter_that_gives_up_does_not_cancel_the_cut_for_the_others_and_a_failed_cut_is_tried_again()
    {
        var gated = new GatedCutter(samples.Cutter) { FailFirst = true };
        using var cache = new BundleCutCache(new BundleFileStore(_folder.Folder("failures")), gated);
        using var impatient = new CancellationTokenSource();
        var giving = cache.GetOrCutAsync(Full(samples.V100), impatient.Token);
        var staying = cache.GetOrCutAsync(Full(samples.V100));
        await Wait.UntilAsync(() => gated.Started == 1, "the first cut to start");
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => giving);
        gated.Open();
        await Assert.ThrowsAsync<IOException>(() => staying); // the one cut failed (scripted), for every waiter

        var again = await cache.GetOrCutAsync(Full(samples.V100));
        Assert.Equal(2, gated.Started);
        Assert.False(again.IsDelta);
    }

    [Fact]
    public async Task After_a_restart_the_cut_is_found_in_the_folder_and_a_crash_left_temp_file_or_damaged_index_never_counts_as_a_bundle()
    {
        var folder = _folder.Folder("restart");
        var gated = new GatedCutter(samples.Cutter);
        gated.Open();
        BundleLocation location;
        using (var cache = new BundleCutCache(new BundleFileStore(folder), gated))
            location = await cache.GetOrCutAsync(Full(samples.V100));
        var restarted = new GatedCutter(samples.Cutter);
        restarted.Open();
        using (var cache = new BundleCutCache(new BundleFileStore(folder), restarted))
            Assert.Equal(location, await cache.GetOrCutAsync(Full(samples.V100)));
        Assert.Equal(0, restarted.Started);

        // What kill -9 leaves in the middle of AtomicFile: a partial temporary file next to where the bundle goes,
        // and no bundle under its name; plus an index entry whose bundle is gone.
        var bundlePath = Path.Combine(folder, "sha256", location.Sha256 + ".bundle");
        var bytes = await File.ReadAllBytesAsync(bundlePath);
        File.Delete(bundlePath);
        var temp = AtomicFile.TemporaryPathFor(bundlePath);
        await File.WriteAllBytesAsync(temp, bytes.AsSpan(0, bytes.Length / 2).ToArray());
        var store = new BundleFileStore(folder);
        Assert.False(File.Exists(temp));
        Assert.Null(store.Find(location.Sha256));
        Assert.Null(store.FindCut(Full(samples.V100).Key));

        var afterCrash = new GatedCutter(samples.Cutter);
        afterCrash.Open();
        using (var cache = new BundleCutCache(store, afterCrash))
            Assert.Equal(location, await cache.GetOrCutAsync(Full(samples.V100)));
        Assert.Equal(1, afterCrash.Started);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(bundlePath));
    }

    [Fact]
    public async Task The_cut_index_lists_a_releases_cuts_with_their_keys_after_a_restart_and_ignores_a_key_that_is_not_its_entrys()
    {
        var folder = _folder.Folder("listing");
        var store = new BundleFileStore(folder);
        using (var cache = new BundleCutCache(store, samples.Cutter))
        {
            await cache.GetOrCutAsync(Full(samples.V110));
            await cache.GetOrCutAsync(Request(samples.V110, samples.V100));
            await cache.GetOrCutAsync(Full(samples.V100));
        }
        var delta = Request(samples.V110, samples.V100).Key;
        Assert.Equal([null, delta.BaseImageDigest], store.CutsFor(samples.V110.Id).Select(c => c.Key!.BaseImageDigest).Order(StringComparer.Ordinal));

        var reopened = new BundleFileStore(folder);
        var cuts = reopened.CutsFor(samples.V110.Id);
        Assert.Equal(2, cuts.Count);
        var listed = Assert.Single(cuts, c => c.Bundle.IsDelta);
        Assert.Equal((delta, reopened.FindCut(delta)), (listed.Key, listed.Bundle));
        Assert.Single(reopened.CutsFor(samples.V100.Id));
        Assert.Empty(reopened.CutsFor("rel-0000000000000000"));

        // An entry whose key says another release than its name's hash still gives its bundle, but is listed for no release.
        var entry = Path.Combine(folder, "cuts", delta.Id + ".json");
        await File.WriteAllTextAsync(entry, (await File.ReadAllTextAsync(entry)).Replace(samples.V110.Id, samples.V100.Id, StringComparison.Ordinal));
        var edited = new BundleFileStore(folder);
        Assert.Equal(listed.Bundle, edited.FindCut(delta));
        Assert.DoesNotContain(edited.CutsFor(samples.V100.Id), c => c.Bundle.IsDelta);
        Assert.DoesNotContain(edited.CutsFor(samples.V110.Id), c => c.Bundle.IsDelta);
    }

    /// <summary>Counts cuts; each waits until <see cref="Open"/>; the first may fail.</summary>
    private sealed class GatedCutter(IBundleCutter inner) : IBundleCutter
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _started;

        public int Started => Volatile.Read(ref _started);

        public bool FailFirst { get; init; }

        public void Open() => _gate.TrySetResult();

        public async Task<SignedBundle> CutAsync(BundleCutRequest request, CancellationToken ct)
        {
            var n = Interlocked.Increment(ref _started);
            await _gate.Task.WaitAsync(ct);
            if (FailFirst && n == 1) throw new IOException("scripted: the registry connection dropped mid-cut");
            return await inner.CutAsync(request, ct);
        }
    }
}
