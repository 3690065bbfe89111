using System.Net;
using System.Net.Http.Headers;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Registry.Tests.Support;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Registry.Tests.Http;

/// <summary>
/// Blobs larger than the 1 MiB copy buffers of the upload and download paths, on real Kestrel: sizes that
/// are not buffer multiples, bodies that arrive in small uneven pieces, and ranges that cross buffer edges.
/// </summary>
public sealed class LargeBlobTransferTests
{
    private const int MiB = 1 << 20;

    private static byte[] RandomBytes(int size, int seed)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>A body with no Content-Length (chunked transfer) written in uneven pieces with pauses.</summary>
    private sealed class TricklingContent(byte[] data, int[] pieces) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var offset = 0;
            for (var i = 0; offset < data.Length; i++)
            {
                var n = Math.Min(pieces[i % pieces.Length], data.Length - offset);
                await stream.WriteAsync(data.AsMemory(offset, n));
                await stream.FlushAsync();
                offset += n;
                if (i % 7 == 0) await Task.Delay(2);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Theory]
    [InlineData(3 * MiB + 17, true)]
    [InlineData(MiB, true)]
    [InlineData(MiB - 1, false)]
    [InlineData(2 * MiB + 1, false)]
    public async Task Monolithic_push_of_an_odd_sized_blob_reads_back_byte_exact(int size, bool fsync)
    {
        await using var registry = await LoopbackRegistry.StartAsync(o => o with { Fsync = fsync });
        var data = RandomBytes(size, size);
        var digest = await registry.Client.PushBlobAsync("big/blob", data);

        var back = await registry.Client.GetByteArrayAsync($"/v2/big/blob/blobs/{digest}");
        Assert.Equal(data.Length, back.Length);
        Assert.True(data.AsSpan().SequenceEqual(back), "the blob read back differs from what was pushed");
        var file = Path.Combine(registry.DataDirectory, "blobs", "sha256", digest.Encoded[..2], digest.Encoded);
        Assert.Equal(size, new FileInfo(file).Length);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(registry.DataDirectory, "uploads")));
    }

    [Fact]
    public async Task Chunked_transfer_body_in_uneven_pieces_is_hashed_and_stored_whole()
    {
        await using var registry = await LoopbackRegistry.StartAsync();
        var data = RandomBytes(2 * MiB + 4321, 7);
        var digest = Digest.Compute(data);
        using var post = await registry.Client.PostAsync("/v2/trickle/blobs/uploads/", null);
        var location = post.Headers.Location!.ToString();
        using (var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new TricklingContent(data, [1, 4095, 70_000, 3, 1_048_577]) })
        {
            patch.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var reply = await registry.Client.SendAsync(patch);
            Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
            Assert.Equal($"0-{data.Length - 1}", RegistryCalls.Header(reply, "Range"));
            location = reply.Headers.Location!.ToString();
        }
        using (var put = await registry.Client.PutAsync(RegistryCalls.WithQuery(location, $"digest={digest}"), null))
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var back = await registry.Client.GetByteArrayAsync($"/v2/trickle/blobs/{digest}");
        Assert.True(data.AsSpan().SequenceEqual(back), "the blob read back differs from what was pushed");
    }

    [Fact]
    public async Task A_wrong_digest_on_a_large_monolithic_push_is_refused_and_leaves_no_blob()
    {
        await using var registry = await LoopbackRegistry.StartAsync();
        var data = RandomBytes(3 * MiB, 11);
        var claimed = Digest.Compute(RandomBytes(3 * MiB, 12));
        using var post = await registry.Client.PostAsync("/v2/wrong/blobs/uploads/", null);
        using var put = await registry.Client.PutAsync(RegistryCalls.WithQuery(post.Headers.Location!.ToString(), $"digest={claimed}"),
            RegistryCalls.Octets(data));
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal(ErrorCodes.DigestInvalid, await RegistryCalls.ErrorCodeAsync(put));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(registry.DataDirectory, "blobs"), "*", SearchOption.AllDirectories));
        using var head = new HttpRequestMessage(HttpMethod.Head, $"/v2/wrong/blobs/{Digest.Compute(data)}");
        using var missing = await registry.Client.SendAsync(head);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory]
    [InlineData("bytes=1048570-2097160", 1_048_570L, 2_097_160L)]
    [InlineData("bytes=0-0", 0L, 0L)]
    [InlineData("bytes=2097152-", 2_097_152L, 3L * MiB + 4)]
    [InlineData("bytes=-1048579", 2L * MiB + 2, 3L * MiB + 4)]
    public async Task Ranges_across_buffer_edges_return_exactly_the_requested_bytes(string header, long first, long last)
    {
        await using var registry = await LoopbackRegistry.StartAsync();
        var data = RandomBytes(3 * MiB + 5, 3);
        var digest = await registry.Client.PushBlobAsync("ranges", data);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/ranges/blobs/{digest}");
        request.Headers.TryAddWithoutValidation("Range", header);
        using var reply = await registry.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, reply.StatusCode);
        Assert.Equal($"bytes {first}-{last}/{data.Length}", RegistryCalls.Header(reply, "Content-Range"));
        var body = await reply.Content.ReadAsByteArrayAsync();
        Assert.True(data.AsSpan((int)first, (int)(last - first + 1)).SequenceEqual(body), "the range body differs from the blob's bytes");
    }
}
