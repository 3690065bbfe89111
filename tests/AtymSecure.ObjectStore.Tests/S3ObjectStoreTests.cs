using System.Net;
using System.Security.Cryptography;
using AtymSecure.ObjectStore;
using AtymSecure.TestSupport;
using Xunit.Abstractions;

namespace AtymSecure.ObjectStore.Tests;

/// <summary>The client against a real Ceph RADOS Gateway: what comes back is hashed and compared with what was sent.</summary>
[Trait("Requires", "s3")]
public sealed class S3ObjectStoreTests(ITestOutputHelper output)
{
    private static byte[] Random(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]> ReadAllAsync(ObjectContent content)
    {
        await using (content)
        {
            using var copy = new MemoryStream();
            await content.Stream.CopyToAsync(copy);
            return copy.ToArray();
        }
    }

    [Fact]
    public async Task The_gateway_starts_and_reports_how_long_it_took()
    {
        using var store = await GatewayBucket.CreateAsync("start");
        await store.EnsureReachableAsync();
        output.WriteLine($"Ceph RADOS Gateway ready in {CephObjectGateway.Shared.StartTime.TotalSeconds:F1} s at {CephObjectGateway.Shared.Endpoint}");
        Assert.True(CephObjectGateway.Shared.StartTime > TimeSpan.Zero);
    }

    [Fact]
    public async Task Put_then_get_returns_the_same_bytes_and_head_the_size_and_md5()
    {
        using var store = await GatewayBucket.CreateAsync("put");
        var data = Random(1000, 1);
        var entry = await store.PutAsync("a/b/object", new MemoryStream(data));
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(data)), entry.ETag);
        var back = await ReadAllAsync(await store.GetAsync("a/b/object"));
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(back));
        Assert.Equal(1000, back.Length); // the aws-chunked trap would make it 1295
        var head = await store.HeadAsync("a/b/object");
        Assert.Equal(1000, head!.Size);
        Assert.Equal(entry.ETag, head.ETag);
        Assert.True(DateTimeOffset.UtcNow - head.LastModified < TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task A_server_side_copy_holds_the_same_bytes_and_a_missing_source_is_not_found()
    {
        using var store = await GatewayBucket.CreateAsync("copy");
        var data = Random(40_000, 7);
        await store.PutAsync("from", new MemoryStream(data));
        await store.CopyAsync("from", "to");
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await ReadAllAsync(await store.GetAsync("to"))));
        var missing = await Assert.ThrowsAsync<ObjectStoreException>(() => store.CopyAsync("nothing", "to2"));
        Assert.Equal(ObjectStoreError.NotFound, missing.Error);
        Assert.Null(await store.HeadAsync("to2"));
    }

    [Fact]
    public async Task Ranges_return_exactly_the_requested_bytes_and_the_total_size()
    {
        using var store = await GatewayBucket.CreateAsync("range");
        var data = Random(100_000, 2);
        await store.PutAsync("blob", new MemoryStream(data));
        var middle = await store.GetAsync("blob", 1234, 5678);
        Assert.Equal(100_000, middle.TotalSize);
        Assert.Equal(data.AsSpan(1234, 5678).ToArray(), await ReadAllAsync(middle));
        var tail = await store.GetAsync("blob", 99_990);
        Assert.Equal(data.AsSpan(99_990).ToArray(), await ReadAllAsync(tail));
        Assert.Empty(await ReadAllAsync(await store.GetAsync("blob", 100, 0)));
        var past = await Assert.ThrowsAsync<ObjectStoreException>(() => store.GetAsync("blob", 200_000));
        Assert.Equal(ObjectStoreError.InvalidRange, past.Error);
    }

    [Fact]
    public async Task Missing_objects_are_not_found_and_deleting_one_is_fine()
    {
        using var store = await GatewayBucket.CreateAsync("missing");
        Assert.Null(await store.HeadAsync("nothing"));
        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => store.GetAsync("nothing"));
        Assert.Equal(ObjectStoreError.NotFound, error.Error);
        Assert.Equal("nothing", error.Key);
        await store.DeleteAsync("nothing");
        await store.PutAsync("something", new MemoryStream([1, 2, 3]));
        await store.DeleteAsync("something");
        Assert.Null(await store.HeadAsync("something"));
    }

    [Fact]
    public async Task Listing_follows_pages_in_key_order_under_the_prefix_only()
    {
        using var store = await GatewayBucket.CreateAsync("list", prefix: "svc");
        var keys = Enumerable.Range(0, 25).Select(i => $"items/{i:D3}").ToList();
        foreach (var key in keys) await store.PutAsync(key, new MemoryStream([(byte)key.Length]));
        await store.PutAsync("other/x", new MemoryStream([9]));
        var listed = new List<string>();
        await foreach (var entry in store.ListAsync("items/")) listed.Add(entry.Key);
        Assert.Equal(keys, listed);
        // The location's prefix is on the server but not in the keys the caller sees.
        using var raw = S3ObjectStore.Open(CephObjectGateway.Shared.Url(store.Location.Bucket));
        Assert.NotNull(await raw.HeadAsync("svc/items/000"));
    }

    [Fact]
    public async Task A_multipart_object_of_uploaded_and_copied_parts_is_byte_exact_and_invisible_until_completed()
    {
        using var store = await GatewayBucket.CreateAsync("multi");
        var data = Random(17 << 20, 3); // > 16 MiB: three parts of 8 MiB, 8 MiB and 1 MiB
        await store.PutAsync("source", new MemoryStream(data, 8 << 20, 8 << 20));
        var upload = await store.StartMultipartAsync("target");
        var first = await store.UploadPartAsync(upload, 1, new MemoryStream(data, 0, 8 << 20));
        var second = await store.CopyPartAsync(upload, 2, "source", 0, 8 << 20);
        var third = await store.UploadPartAsync(upload, 3, new MemoryStream(data, 16 << 20, 1 << 20));
        Assert.Null(await store.HeadAsync("target"));
        var entry = await store.CompleteMultipartAsync(upload, [first, second, third]);
        Assert.EndsWith("-3", entry.ETag, StringComparison.Ordinal);
        var back = await ReadAllAsync(await store.GetAsync("target"));
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(back));
    }

    [Fact]
    public async Task An_aborted_multipart_upload_leaves_no_object_and_no_open_upload()
    {
        using var store = await GatewayBucket.CreateAsync("abort");
        var upload = await store.StartMultipartAsync("never");
        await store.UploadPartAsync(upload, 1, new MemoryStream(Random(6 << 20, 4)));
        var open = new List<MultipartUpload>();
        await foreach (var (u, _) in store.ListMultipartAsync("")) open.Add(u);
        Assert.Equal([upload], open);
        await store.AbortMultipartAsync(upload);
        await store.AbortMultipartAsync(upload); // twice is fine
        Assert.Null(await store.HeadAsync("never"));
        await foreach (var _ in store.ListMultipartAsync("")) Assert.Fail("an upload is still open after abort");
        var late = await Assert.ThrowsAsync<ObjectStoreException>(() => store.UploadPartAsync(upload, 2, new MemoryStream([1])));
        Assert.Equal(ObjectStoreError.NoSuchUpload, late.Error);
    }

    [Fact]
    public async Task A_presigned_url_lets_a_plain_http_client_get_the_bytes_and_nothing_else()
    {
        using var store = await GatewayBucket.CreateAsync("presign");
        var data = Random(70_000, 5);
        await store.PutAsync("blobs/x", new MemoryStream(data));
        var url = store.PresignGet("blobs/x", TimeSpan.FromMinutes(5));
        using var http = new HttpClient();
        Assert.Equal(data, await http.GetByteArrayAsync(url));
        // The signature covers the key: another key with the same query is refused.
        var other = new Uri(url.ToString().Replace("blobs/x", "blobs/y", StringComparison.Ordinal));
        using var refused = await http.GetAsync(other);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using var unsigned = await http.GetAsync(new Uri(url.GetLeftPart(UriPartial.Path)));
        Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
    }

    [Fact]
    public async Task Wrong_keys_are_access_denied_and_a_missing_bucket_is_named()
    {
        using var store = await GatewayBucket.CreateAsync("denied");
        var gateway = CephObjectGateway.Shared;
        var wrongSecret = gateway.Url(store.Location.Bucket).Replace(CephObjectGateway.SecretKey, "not-the-secret", StringComparison.Ordinal);
        using var intruder = S3ObjectStore.Open(wrongSecret);
        var denied = await Assert.ThrowsAsync<ObjectStoreException>(() => intruder.PutAsync("x", new MemoryStream([1])));
        Assert.Equal(ObjectStoreError.AccessDenied, denied.Error);
        Assert.DoesNotContain("not-the-secret", denied.ToString(), StringComparison.Ordinal);
        using var nowhere = S3ObjectStore.Open(gateway.Url(CephObjectGateway.NewBucketName("absent")));
        var missing = await Assert.ThrowsAsync<ObjectStoreException>(() => nowhere.GetAsync("x"));
        Assert.Equal(ObjectStoreError.NoSuchBucket, missing.Error);
        var unreachable = await Assert.ThrowsAsync<ObjectStoreException>(() => nowhere.EnsureReachableAsync());
        Assert.Contains(nowhere.Location.Bucket, unreachable.Message, StringComparison.Ordinal);
        Assert.Equal(ObjectStoreError.NoSuchBucket, unreachable.Error);
    }

    [Fact]
    public async Task Credentials_from_the_environment_work_like_those_in_the_url()
    {
        using var store = await GatewayBucket.CreateAsync("env");
        var env = CephObjectGateway.CredentialEnvironment;
        using var fromEnvironment = S3ObjectStore.Open(CephObjectGateway.Shared.Url(store.Location.Bucket, withCredentials: false), n => env.GetValueOrDefault(n));
        await fromEnvironment.PutAsync("k", new MemoryStream([7]));
        Assert.Equal([7], await ReadAllAsync(await store.GetAsync("k")));
    }
}
