using System.Security.Cryptography;
using AtymSecure.ObjectStore;
using AtymSecure.Primitives;
using AtymSecure.Registry.Storage;
using AtymSecure.Registry.Uploads;
using AtymSecure.TestSupport;

namespace AtymSecure.Registry.Tests.Storage;

/// <summary>
/// What only the object store backend promises, on a real Ceph RADOS Gateway: no partial or wrong object ever appears
/// under a blob's key, sessions continue on another replica, and crash leftovers are cleaned up.
/// </summary>
[Trait("Requires", "s3")]
public sealed class S3BlobStoreTests : IDisposable
{
    private static readonly S3BlobStoreOptions SmallObjects = new() { ChunkSize = 1 << 20, PartSize = 8 << 20 };
    private readonly string _url = CephObjectGateway.Shared.Url(CephObjectGateway.NewBucketName("s3blobs"));
    private readonly S3ObjectStore _objects;

    public S3BlobStoreTests()
    {
        _objects = S3ObjectStore.Open(_url);
        _objects.CreateBucketAsync().GetAwaiter().GetResult();
    }

    public void Dispose() => _objects.Dispose();

    private static byte[] Bytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task<string> StageAsync(IBlobStore store, byte[] data)
    {
        var id = UploadIds.New();
        store.CreateUpload(id);
        await using var stream = store.OpenUploadForAppend(id);
        await stream.WriteAsync(data);
        await stream.FlushAsync();
        return id;
    }

    private async Task<List<string>> KeysAsync(string prefix)
    {
        var keys = new List<string>();
        await foreach (var entry in _objects.ListAsync(prefix)) keys.Add(entry.Key);
        return keys;
    }

    private async Task<int> OpenMultipartUploadsAsync()
    {
        var count = 0;
        await foreach (var _ in _objects.ListMultipartAsync("")) count++;
        return count;
    }

    [Fact]
    public async Task Blobs_and_sessions_use_the_documented_keys()
    {
        using var store = new S3BlobStore(_objects, SmallObjects);
        var data = Bytes(2_500_000, 1);
        var id = await StageAsync(store, data);
        Assert.Equal([$"uploads/{id}/chunks/000000000000000", $"uploads/{id}/chunks/000000001048576", $"uploads/{id}/chunks/000000002097152",
            $"uploads/{id}/session"], await KeysAsync("uploads/"));
        var digest = Digest.Compute(data);
        store.CommitUpload(id, digest);
        Assert.Equal([$"blobs/sha256/{digest.Encoded[..2]}/{digest.Encoded}"], await KeysAsync("blobs/"));
        Assert.Empty(await KeysAsync("uploads/"));
    }

    [Fact]
    public async Task A_commit_that_fails_mid_multipart_leaves_nothing_under_the_key_and_no_open_upload()
    {
        var faulty = new FaultyObjectStore(_objects) { FailPart = 2 };
        var store = new S3BlobStore(faulty, SmallObjects);
        var data = Bytes(20 << 20, 2); // three parts of 8 MiB, 8 MiB, 4 MiB
        var id = await StageAsync(store, data);
        var digest = Digest.Compute(data);
        var error = Assert.Throws<ObjectStoreException>(() => store.CommitUpload(id, digest));
        Assert.Equal(ObjectStoreError.Unavailable, error.Error);
        Assert.Null(store.TryGet(digest));
        Assert.Empty(await KeysAsync("blobs/"));
        Assert.Equal(0, await OpenMultipartUploadsAsync());
        // The session is intact: the commit can be retried once the store works again.
        faulty.FailPart = null;
        Assert.Equal(data.Length, store.UploadLength(id));
        store.CommitUpload(id, digest);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await store.ReadAllAsync(digest, default)));
    }

    [Fact]
    public async Task Chunks_that_do_not_hash_to_the_digest_are_never_committed()
    {
        using var store = new S3BlobStore(_objects, SmallObjects);
        foreach (var size in new[] { 1000, 12 << 20 }) // one PUT, and a multipart upload
        {
            var data = Bytes(size, 3);
            var id = await StageAsync(store, data);
            // What the client sent was checked; then a chunk changes under the session (another writer, a faulty store).
            await _objects.PutAsync($"uploads/{id}/chunks/000000000000000", new MemoryStream(Bytes(Math.Min(size, 1 << 20), 99)));
            var digest = Digest.Compute(data);
            var error = Assert.Throws<ObjectStoreException>(() => store.CommitUpload(id, digest));
            Assert.Equal(ObjectStoreError.Integrity, error.Error);
            Assert.Contains("nothing was committed", error.Message, StringComparison.Ordinal);
            Assert.Null(store.TryGet(digest));
        }
        Assert.Equal(0, await OpenMultipartUploadsAsync());
    }

    [Fact]
    public async Task A_blob_damaged_in_the_store_fails_its_read_instead_of_passing_for_the_digest()
    {
        using var store = new S3BlobStore(_objects, SmallObjects);
        var data = Bytes(5000, 4);
        var digest = Digest.Compute(data);
        await store.PutAsync(digest, data, default);
        var damaged = (byte[])data.Clone();
        damaged[4321] ^= 1;
        await _objects.PutAsync($"blobs/sha256/{digest.Encoded[..2]}/{digest.Encoded}", new MemoryStream(damaged));
        Assert.Equal(ObjectStoreError.Integrity, (await Assert.ThrowsAsync<ObjectStoreException>(() => store.ReadAllAsync(digest, default))).Error);
        await using var stream = store.OpenRead(digest);
        var streamed = await Assert.ThrowsAsync<ObjectStoreException>(() => stream.CopyToAsync(Stream.Null));
        Assert.Equal(ObjectStoreError.Integrity, streamed.Error);
        // A range cannot be checked against the digest: it is served as stored (clients check digests of whole blobs).
        await using var range = store.OpenRead(digest);
        range.Seek(4000, SeekOrigin.Begin);
        await range.CopyToAsync(Stream.Null);
    }

    [Fact]
    public async Task Bytes_written_but_not_flushed_never_reach_the_session()
    {
        using var store = new S3BlobStore(_objects, SmallObjects);
        var id = UploadIds.New();
        store.CreateUpload(id);
        await using (var stream = store.OpenUploadForAppend(id)) await stream.WriteAsync(Bytes(5000, 5)); // the request failed: no flush
        Assert.Equal(0, store.UploadLength(id));
        Assert.Equal([$"uploads/{id}/session"], await KeysAsync($"uploads/{id}/"));
    }

    /// <summary>Two replicas = two processes' stores and upload services over the same bucket and the same metadata database
    /// (the shared PostgreSQL in production; one LiteDB instance here). Replica 1 takes the PATCHes, replica 2 the final PUT:
    /// it rebuilds the hash from the object store and commits.</summary>
    [Fact]
    public async Task A_session_patched_on_one_replica_completes_on_another()
    {
        using var folder = TempFolder.Create("replicas");
        using var metadata = new LiteDbMetadataStore(folder.Path);
        using var first = new S3BlobStore(S3ObjectStore.Open(_url), SmallObjects);
        using var second = new S3BlobStore(S3ObjectStore.Open(_url), SmallObjects);
        var replica1 = new UploadService(first, metadata, TimeProvider.System);
        var replica2 = new UploadService(second, metadata, TimeProvider.System);
        var data = Bytes((9 << 20) + 77, 6);
        var digest = Digest.Compute(data);
        var session = replica1.Start("app", Digest.Sha256);
        Assert.Equal(3 << 20, await replica1.AppendAsync(session, new MemoryStream(data, 0, 3 << 20), 0, 3 << 20, default));
        var found = replica2.Find("app", session.Id);
        Assert.Equal(3 << 20, replica2.Length(found));
        await replica2.CompleteAsync(found, new MemoryStream(data, 3 << 20, data.Length - (3 << 20)), 3 << 20, data.Length - (3 << 20), digest, default);
        Assert.True(metadata.HasBlobLink("app", digest.ToString()));
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await first.ReadAllAsync(digest, default)));
        Assert.Empty(await KeysAsync("uploads/"));
    }

    [Fact]
    public async Task Stale_cleanup_aborts_multipart_uploads_a_crash_left_and_markers_of_deleted_blobs()
    {
        using var store = new S3BlobStore(_objects, SmallObjects);
        var orphan = Digest.Compute([1, 2, 3]);
        var crashed = await _objects.StartMultipartAsync($"blobs/sha256/{orphan.Encoded[..2]}/{orphan.Encoded}");
        await _objects.UploadPartAsync(crashed, 1, new MemoryStream(Bytes(1000, 7)));
        var data = Bytes(100, 8);
        var digest = Digest.Compute(data);
        await store.PutAsync(digest, data, default);
        store.Touch(digest);
        await _objects.DeleteAsync($"blobs/sha256/{digest.Encoded[..2]}/{digest.Encoded}"); // its marker stays behind
        Assert.Equal(0, store.DeleteStaleTemporaryFiles(DateTimeOffset.UtcNow.AddHours(-1))); // all too young
        Assert.Equal(2, store.DeleteStaleTemporaryFiles(DateTimeOffset.UtcNow.AddMinutes(5)));
        Assert.Equal(0, await OpenMultipartUploadsAsync());
        Assert.Empty(await KeysAsync("touched/"));
    }

    [Fact]
    public async Task The_upload_sweep_removes_expired_sessions_chunks_and_all()
    {
        using var folder = TempFolder.Create("sweep");
        using var metadata = new LiteDbMetadataStore(folder.Path);
        using var store = new S3BlobStore(_objects, SmallObjects);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var uploads = new UploadService(store, metadata, clock);
        var session = uploads.Start("app", Digest.Sha256);
        await uploads.AppendAsync(session, new MemoryStream(Bytes(3 << 20, 9)), 0, 3 << 20, default);
        // Objects of a session without a record (a crash between the two deletes, or a replica that died creating it).
        var leftover = await StageAsync(store, Bytes(10, 10));
        clock.Advance(TimeSpan.FromHours(2));
        Assert.True(uploads.SweepExpired(TimeSpan.FromHours(1)) >= 2);
        Assert.Empty(await KeysAsync("uploads/"));
        Assert.Null(metadata.GetUpload(session.Id));
        Assert.Null(store.UploadLength(leftover));
    }
}
