using System.Net;
using System.Net.Http.Headers;
using AtymSecure.ObjectStore;
using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaServer.Tests.Infrastructure;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaServer.Tests.Hosting;

/// <summary>
/// The OTA host with <c>blobs</c> on the test process's Ceph RADOS Gateway: bundle downloads stream from the object store
/// with <c>Range</c> and the strong ETag as from the folder, a damaged object is never delivered whole, redirects answer
/// <c>307</c> to a presigned URL that serves the bundle, and a bucket that is not there stops the start.
/// </summary>
[Trait("Requires", "s3")]
public sealed class ObjectStoreBundleServingTests : IAsyncLifetime
{
    private static readonly string VendorKey = Path.Combine(RepositoryRoot.Path, "tests", "pki", "ecdsa-p256.pub");
    private readonly string _bucket = CephObjectGateway.NewBucketName("ota-serving");
    private S3ObjectStore _raw = null!;

    private string Url => CephObjectGateway.Shared.Url(_bucket);

    public async Task InitializeAsync()
    {
        _raw = S3ObjectStore.Open(Url);
        await _raw.CreateBucketAsync();
    }

    public Task DisposeAsync()
    {
        _raw.Dispose();
        return Task.CompletedTask;
    }

    private Task<OtaTestServer> StartAsync(bool redirect = false) => OtaTestServer.StartAsync(o => o with
    {
        Registry = "127.0.0.1:1", VendorKeyFiles = [VendorKey], Blobs = Url, RedirectBundleDownloads = redirect,
    });

    /// <summary>Puts <paramref name="bytes"/> under their digest as a stored bundle (serving does not look inside one).</summary>
    private async Task<string> PutAsync(byte[] bytes)
    {
        var hex = Digest.Compute(bytes).Encoded;
        using var content = new MemoryStream(bytes);
        await _raw.PutAsync(S3BundleStore.BundleKey(hex), content);
        return hex;
    }

    [Fact]
    public async Task A_bundle_streams_from_the_object_store_whole_by_range_and_304_and_the_data_folder_stays_empty()
    {
        await using var server = await StartAsync();
        Assert.IsType<S3BundleStore>(server.App.Services.GetRequiredService<IBundleStore>());
        var bytes = new byte[70_000];
        new Random(1).NextBytes(bytes);
        var hex = await PutAsync(bytes);

        using var whole = await server.Client.GetAsync($"/bundles/sha256/{hex}");
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(bytes, await whole.Content.ReadAsByteArrayAsync());
        Assert.Equal($"\"{hex}\"", whole.Headers.ETag!.Tag);

        using var range = new HttpRequestMessage(HttpMethod.Get, $"/bundles/sha256/{hex}");
        range.Headers.Range = new RangeHeaderValue(60_000, null);
        using var tail = await server.Client.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
        Assert.Equal(bytes[60_000..], await tail.Content.ReadAsByteArrayAsync());

        using var cached = new HttpRequestMessage(HttpMethod.Get, $"/bundles/sha256/{hex}");
        cached.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{hex}\""));
        Assert.Equal(HttpStatusCode.NotModified, (await server.Client.SendAsync(cached)).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync($"/bundles/sha256/{new string('0', 64)}")).StatusCode);
        Assert.False(Directory.Exists(Path.Combine(server.DataDirectory, "bundles")));
    }

    [Fact]
    public async Task A_damaged_object_is_never_delivered_as_a_whole_bundle()
    {
        await using var server = await StartAsync();
        var bytes = new byte[50_000];
        new Random(2).NextBytes(bytes);
        var hex = Digest.Compute(bytes).Encoded;
        bytes[^1] ^= 0xff;
        using (var damaged = new MemoryStream(bytes))
            await _raw.PutAsync(S3BundleStore.BundleKey(hex), damaged);
        // The transfer is cut before its last bytes: the client never holds 50,000 bytes claiming to be this digest. (Over
        // Kestrel the connection is aborted short of its Content-Length; the in-memory test client hands out what came.)
        byte[] body;
        try
        {
            using var response = await server.Client.GetAsync($"/bundles/sha256/{hex}");
            body = await response.Content.ReadAsByteArrayAsync();
        }
        catch (Exception e) when (e is HttpRequestException or IOException or BundleIntegrityException)
        {
            body = [];
        }
        Assert.True(body.Length < bytes.Length, $"the damaged object was delivered whole ({body.Length} bytes)");
    }

    [Fact]
    public async Task With_redirects_a_get_answers_307_to_a_presigned_url_that_serves_the_bundle_and_head_is_answered_here()
    {
        await using var server = await StartAsync(redirect: true);
        var bytes = new byte[10_000];
        new Random(3).NextBytes(bytes);
        var hex = await PutAsync(bytes);

        using var redirect = await server.Client.GetAsync($"/bundles/sha256/{hex}");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirect.StatusCode);
        var location = redirect.Headers.Location!;
        Assert.Equal(CephObjectGateway.Shared.Port, location.Port);
        Assert.DoesNotContain(CephObjectGateway.SecretKey, location.ToString(), StringComparison.Ordinal);
        using var plain = new HttpClient();
        Assert.Equal(bytes, await plain.GetByteArrayAsync(location));

        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/bundles/sha256/{hex}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(bytes.Length, head.Content.Headers.ContentLength);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync($"/bundles/sha256/{new string('0', 64)}")).StatusCode);
    }

    [Fact]
    public async Task A_bucket_that_is_not_there_stops_the_start_with_a_typed_error()
    {
        var missing = CephObjectGateway.NewBucketName("missing");
        var e = await Assert.ThrowsAsync<BundleStoreStartException>(() => OtaTestServer.StartAsync(o => o with
        {
            Registry = "127.0.0.1:1", VendorKeyFiles = [VendorKey], Blobs = CephObjectGateway.Shared.Url(missing),
        }));
        Assert.Equal(ObjectStoreError.NoSuchBucket, e.Error);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }
}
