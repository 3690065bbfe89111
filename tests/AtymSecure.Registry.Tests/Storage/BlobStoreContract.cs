using System.Security.Cryptography;
using AtymSecure.Primitives;
using CsCheck;
using AtymSecure.Registry.Storage;

namespace AtymSecure.Registry.Tests.Storage;

/// <summary>
/// What every <see cref="IBlobStore"/> must do, run against each backend (<see cref="FileBlobStoreContractTests"/>,
/// <see cref="S3BlobStoreContractTests"/>). Every read is compared byte for byte (by SHA-256) with what was written.
/// </summary>
public abstract class BlobStoreContract : IDisposable
{
    /// <summary>A fresh, empty store (its own folder or bucket).</summary>
    protected abstract IBlobStore Store { get; }

    /// <summary>Cases of the property test (each case is a few requests per operation on a real server).</summary>
    protected virtual int PropertyIterations => 25;

    public abstract void Dispose();

    protected static byte[] Bytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    protected static async Task AppendAsync(IBlobStore store, string uploadId, byte[] data, int offset, int count)
    {
        await using var stream = store.OpenUploadForAppend(uploadId);
        await stream.WriteAsync(data.AsMemory(offset, count));
        await stream.FlushAsync();
    }

    protected static async Task<byte[]> ReadAsync(Stream stream)
    {
        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            return copy.ToArray();
        }
    }

    /// <summary>Uploads <paramref name="data"/> in chunks of <paramref name="chunk"/> bytes and commits it.</summary>
    protected static async Task<Digest> UploadAsync(IBlobStore store, byte[] data, int chunk)
    {
        var id = UploadIds.New();
        store.CreateUpload(id);
        for (var offset = 0; offset < data.Length; offset += chunk) await AppendAsync(store, id, data, offset, Math.Min(chunk, data.Length - offset));
        var digest = Digest.Compute(data);
        store.CommitUpload(id, digest);
        return digest;
    }

    [Fact]
    public async Task A_put_blob_reads_back_byte_exact_whole_and_from_an_offset()
    {
        var data = Bytes(300_000, 1);
        var digest = Digest.Compute(data);
        Assert.Null(Store.TryGet(digest));
        await Store.PutAsync(digest, data, default);
        await Store.PutAsync(digest, data, default); // again: a no-op
        var info = Store.TryGet(digest)!;
        Assert.Equal(data.Length, info.Size);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await Store.ReadAllAsync(digest, default)));
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await ReadAsync(Store.OpenRead(digest))));
        var tail = Store.OpenRead(digest);
        tail.Seek(123_456, SeekOrigin.Begin);
        Assert.Equal(data.AsSpan(123_456).ToArray(), await ReadAsync(tail));
    }

    [Fact]
    public async Task An_upload_grows_chunk_by_chunk_reads_back_and_commits_into_the_blob()
    {
        var data = Bytes(200_000, 2);
        var id = UploadIds.New();
        Store.CreateUpload(id);
        Assert.Equal(0, Store.UploadLength(id));
        await AppendAsync(Store, id, data, 0, 70_000);
        await AppendAsync(Store, id, data, 70_000, 130_000);
        Assert.Equal(200_000, Store.UploadLength(id));
        Assert.Equal(data, await ReadAsync(Store.OpenUploadForRead(id)));
        Assert.Contains(Store.EnumerateUploads(), u => u.UploadId == id);
        var digest = Digest.Compute(data);
        Store.CommitUpload(id, digest);
        Assert.Null(Store.UploadLength(id));
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await ReadAsync(Store.OpenRead(digest))));
        Assert.Contains(Store.Enumerate(), b => b.Digest == digest && b.Size == data.Length);
    }

    [Fact]
    public async Task Truncating_an_upload_undoes_a_failed_chunk()
    {
        var data = Bytes(50_000, 3);
        var id = UploadIds.New();
        Store.CreateUpload(id);
        await AppendAsync(Store, id, data, 0, 20_000);
        await AppendAsync(Store, id, Bytes(30_000, 99), 0, 30_000); // the chunk that "failed"
        Store.TruncateUpload(id, 20_000);
        Assert.Equal(20_000, Store.UploadLength(id));
        await AppendAsync(Store, id, data, 20_000, 30_000);
        Assert.Equal(data, await ReadAsync(Store.OpenUploadForRead(id)));
        Store.DeleteUpload(id);
        Assert.Null(Store.UploadLength(id));
    }

    [Fact]
    public async Task A_blob_over_16_MiB_from_uneven_chunks_commits_byte_exact()
    {
        var data = Bytes((17 << 20) + 12_345, 4);
        var digest = await UploadAsync(Store, data, 5_000_000);
        Assert.Equal(data.Length, Store.TryGet(digest)!.Size);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await ReadAsync(Store.OpenRead(digest))));
    }

    [Fact]
    public async Task Two_sessions_committing_the_same_digest_leave_one_blob()
    {
        var data = Bytes(10_000, 5);
        var first = await UploadAsync(Store, data, 4096);
        var second = await UploadAsync(Store, data, 10_000);
        Assert.Equal(first, second);
        Assert.Single(Store.Enumerate(), b => b.Digest == first);
        Assert.Empty(Store.EnumerateUploads());
    }

    [Fact]
    public async Task Delete_says_whether_the_blob_was_there_and_removes_it()
    {
        var data = Bytes(1000, 6);
        var digest = Digest.Compute(data);
        Assert.False(Store.Delete(digest));
        await Store.PutAsync(digest, data, default);
        Assert.True(Store.Delete(digest));
        Assert.Null(Store.TryGet(digest));
        Assert.DoesNotContain(Store.Enumerate(), b => b.Digest == digest);
    }

    [Fact]
    public async Task Touch_moves_the_last_use_forward()
    {
        var data = Bytes(1000, 7);
        var digest = Digest.Compute(data);
        await Store.PutAsync(digest, data, default);
        var before = DateTimeOffset.UtcNow.AddSeconds(-2); // object stores keep whole seconds
        Store.Touch(digest);
        Assert.True(Store.TryGet(digest)!.LastWriteUtc >= before);
        Assert.True(Store.Enumerate().Single(b => b.Digest == digest).LastWriteUtc >= before);
        Store.Touch(Digest.Compute([1, 2, 3])); // a missing blob: nothing happens
        Assert.Null(Store.TryGet(Digest.Compute([1, 2, 3])));
    }

    /// <summary>Any sequence of appends (up to 2.5 MB each: several chunk objects on S3) and truncations (to any point, also
    /// inside a chunk) leaves the session exactly as long as, and byte for byte equal to, the same operations on memory.</summary>
    [Fact]
    public async Task Any_sequence_of_appends_and_truncations_reads_back_as_the_same_bytes()
    {
        var operation = Gen.OneOf(Gen.Int[1, 2_500_000].Select(n => (Append: true, N: n)), Gen.Int[0, 100].Select(p => (Append: false, N: p)));
        await operation.Array[1, 5].SampleAsync(async operations =>
        {
            var id = UploadIds.New();
            Store.CreateUpload(id);
            using var model = new MemoryStream();
            foreach (var (append, n) in operations)
            {
                if (append)
                {
                    var data = Bytes(n, n);
                    await AppendAsync(Store, id, data, 0, n);
                    model.Write(data);
                }
                else
                {
                    var length = model.Length * n / 100;
                    Store.TruncateUpload(id, length);
                    model.SetLength(length);
                }
                Assert.Equal(model.Length, Store.UploadLength(id));
            }
            Assert.Equal(SHA256.HashData(model.ToArray()), SHA256.HashData(await ReadAsync(Store.OpenUploadForRead(id))));
            Store.DeleteUpload(id);
            Assert.Null(Store.UploadLength(id));
        }, iter: PropertyIterations);
    }

    [Fact]
    public void An_unknown_upload_has_no_length()
    {
        Assert.Null(Store.UploadLength(UploadIds.New()));
        Assert.Throws<ArgumentException>(() => Store.UploadLength("../../etc/passwd"));
    }
}
