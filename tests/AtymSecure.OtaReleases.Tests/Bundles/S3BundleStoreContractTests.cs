using AtymSecure.ObjectStore;
using AtymSecure.OtaReleases.Bundles;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaReleases.Tests.Bundles;

/// <summary>The bundle store contract on a real Ceph RADOS Gateway (<see cref="S3BundleStore"/>, one bucket per test
/// class instance, under a prefix as a deployment shares a bucket), plus what only an object store has: the start
/// checks, multipart writes, the sweep of a crashed write's upload and presigned downloads.</summary>
[Trait("Requires", "s3")]
public sealed class S3BundleStoreContractTests : BundleStoreContract, IAsyncLifetime
{
    private readonly string _url = Bucket();
    private S3ObjectStore _raw = null!;

    private static string Bucket()
    {
        var bucket = CephObjectGateway.NewBucketName("ota-bundles");
        return CephObjectGateway.Shared.Url(bucket).Replace($"{bucket}?", $"{bucket}/ota?", StringComparison.Ordinal);
    }

    public async Task InitializeAsync()
    {
        _raw = S3ObjectStore.Open(_url);
        await _raw.CreateBucketAsync();
    }

    public Task DisposeAsync()
    {
        _raw.Dispose();
        return Task.CompletedTask;
    }

    protected override Task<IBundleStore> OpenAsync() => Task.FromResult<IBundleStore>(BundleStores.OpenObjectStore(_url, TimeProvider.System));

    protected override async Task Damage(string hex, byte[] bytes)
    {
        using var content = new MemoryStream(bytes);
        await _raw.PutAsync(S3BundleStore.BundleKey(hex), content);
    }

    protected override async Task WriteRawEntryAsync(string keyId, byte[] bytes)
    {
        using var content = new MemoryStream(bytes);
        await _raw.PutAsync(S3BundleStore.CutKey(keyId), content);
    }

    protected override async Task LeaveUnfinishedWriteAsync(string hex, byte[] bytes)
    {
        // A multipart upload under the bundle's final key with its first part sent and never completed.
        var upload = await _raw.StartMultipartAsync(S3BundleStore.BundleKey(hex));
        using var part = new MemoryStream(bytes);
        await _raw.UploadPartAsync(upload, 1, part);
    }

    [Fact]
    public async Task A_missing_bucket_stops_the_start_with_a_typed_error_naming_it_and_no_secret()
    {
        var bucket = CephObjectGateway.NewBucketName("never-created");
        var e = Assert.Throws<BundleStoreStartException>(() => BundleStores.OpenObjectStore(CephObjectGateway.Shared.Url(bucket), TimeProvider.System));
        Assert.Equal(ObjectStoreError.NoSuchBucket, e.Error);
        Assert.Contains(bucket, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(CephObjectGateway.SecretKey, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_keys_stop_the_start_as_access_denied()
    {
        var url = _url.Replace(CephObjectGateway.SecretKey, "wrong-secret", StringComparison.Ordinal);
        var e = Assert.Throws<BundleStoreStartException>(() => BundleStores.OpenObjectStore(url, TimeProvider.System));
        Assert.Equal(ObjectStoreError.AccessDenied, e.Error);
    }

    [Fact]
    public void An_unusable_url_is_an_invalid_location_before_anything_is_sent()
    {
        var e = Assert.Throws<BundleStoreStartException>(() => BundleStores.OpenObjectStore("s3://Bad_Bucket?endpoint=http://127.0.0.1:1", TimeProvider.System));
        Assert.Equal(ObjectStoreError.InvalidLocation, e.Error);
    }

    [Fact]
    public async Task The_objects_use_the_folders_layout_under_the_prefix_and_nothing_else()
    {
        var store = (S3BundleStore)await OpenAsync();
        var location = await store.StoreAsync(await TestBundles.FullAsync(5_000, 10));
        var key = new AtymSecure.OtaReleases.Planning.BundleCutKey(null, "rel-layout", "sha256:" + new string('3', 64), "linux-x86_64", []);
        await store.RecordCutAsync(key, location);
        var keys = new List<string>();
        await foreach (var entry in _raw.ListAsync("")) keys.Add(entry.Key);
        Assert.Equal([$"bundles/cuts/{key.Id}.json", $"bundles/sha256/{location.Sha256}.bundle"], keys);
    }

    [Fact]
    public async Task A_large_object_goes_up_in_parts_and_appears_only_when_complete()
    {
        var bytes = new byte[11 << 20];
        new Random(11).NextBytes(bytes);
        var hex = Digest.Compute(bytes).Encoded;
        var entry = await WholeObjectUpload.PutAsync(_raw, S3BundleStore.BundleKey(hex), bytes, partSize: 5 << 20);
        Assert.EndsWith("-3", entry.ETag, StringComparison.Ordinal); // three parts: 5 + 5 + 1 MiB
        var store = await OpenAsync();
        Assert.Equal(bytes, await store.ReadAllAsync(hex));
    }

    [Fact]
    public async Task The_start_aborts_a_crashed_writes_upload_once_it_is_stale()
    {
        var bytes = new byte[1000];
        var hex = Digest.Compute(bytes).Encoded;
        await LeaveUnfinishedWriteAsync(hex, bytes);
        var store = (S3BundleStore)await OpenAsync();
        Assert.Single(await _raw.ListMultipartAsync(S3BundleStore.BundlesPrefix).ToListAsync()); // not stale yet: kept
        Assert.Equal(1, await store.SweepStaleUploadsAsync(DateTimeOffset.UtcNow.AddMinutes(5)));
        Assert.Empty(await _raw.ListMultipartAsync(S3BundleStore.BundlesPrefix).ToListAsync());
        Assert.Null(await store.FindAsync(hex));
    }

    [Fact]
    public async Task A_presigned_download_url_serves_the_bundle_to_a_plain_client()
    {
        var store = (S3BundleStore)await OpenAsync();
        var bundle = await TestBundles.FullAsync(8_000, 12);
        var location = await store.StoreAsync(bundle);
        var url = store.DownloadUrl(location.Sha256, TimeSpan.FromMinutes(1));
        Assert.DoesNotContain(CephObjectGateway.SecretKey, url.ToString(), StringComparison.Ordinal);
        using var client = new HttpClient();
        Assert.Equal(await bundle.ToArrayAsync(), await client.GetByteArrayAsync(url));
    }
}
