using System.Net;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Wire;

namespace AtymSecure.Oci.Tests.Remote;

public sealed class RepositoryBlobTests
{
    [Fact]
    public async Task Small_blob_is_pushed_with_POST_then_one_PUT_and_reads_back_verified()
    {
        using var r = new FakeRemote();
        var repo = r.Repo();
        var data = TestData.RandomBytes(5000);
        var d = await repo.PushBytesAsync("application/octet-stream", data);
        Assert.Equal(["POST /v2/demo/app/blobs/uploads/", $"PUT /v2/demo/app/blobs/uploads/u1?state=x&digest={Uri.EscapeDataString(d.Digest.ToString())}"], r.Fake.Lines);
        Assert.StartsWith("https://registry.test/", r.Fake.Log.First().Uri.AbsoluteUri, StringComparison.Ordinal);
        Assert.True(await repo.ExistsAsync(d));
        Assert.Equal(data, await repo.FetchAllAsync(d, long.MaxValue));
    }

    [Fact]
    public async Task Large_blob_goes_in_PATCH_chunks_sized_by_OCI_Chunk_Min_Length()
    {
        using var r = new FakeRemote(chunkThreshold: 1000, chunkSize: 300);
        r.Fake.ChunkMinLength = 1000;
        var data = TestData.RandomBytes(2500);
        var d = await r.Repo().PushBytesAsync("application/octet-stream", data);
        var ranges = r.Fake.Log.Where(l => l.Method == HttpMethod.Patch).Select(l => l.ContentRange).ToList();
        Assert.Equal(["0-999", "1000-1999", "2000-2499"], ranges);
        Assert.Equal(data, r.Fake.Blobs[$"demo/app|{d.Digest}"]);
        var close = r.Fake.Log.Last();
        Assert.Equal(HttpMethod.Put, close.Method);
    }

    [Fact]
    public async Task Chunk_refused_with_416_resumes_from_upload_status()
    {
        using var r = new FakeRemote(chunkThreshold: 100, chunkSize: 100);
        var patches = 0;
        r.Fake.Intercept = (req, _) => req.Method == HttpMethod.Patch && Interlocked.Increment(ref patches) == 2
            ? FakeRegistryError(HttpStatusCode.RequestedRangeNotSatisfiable) : null;
        var data = TestData.RandomBytes(350);
        var d = await r.Repo().PushBytesAsync("application/octet-stream", data);
        Assert.Equal(data, r.Fake.Blobs[$"demo/app|{d.Digest}"]);
        var lines = r.Fake.Lines.ToList();
        var status = lines.FindIndex(l => l.StartsWith("GET /v2/demo/app/blobs/uploads/", StringComparison.Ordinal));
        Assert.True(status > 0, string.Join("\n", lines));
        Assert.Equal("100-199", r.Fake.Log.Where(l => l.Method == HttpMethod.Patch).ElementAt(2).ContentRange);
    }

    [Fact]
    public async Task Chunk_applied_but_reply_lost_is_not_sent_twice()
    {
        using var r = new FakeRemote(chunkThreshold: 100, chunkSize: 100);
        var patches = 0;
        r.Fake.Rewrite = (req, resp, _) => req.Method == HttpMethod.Patch && Interlocked.Increment(ref patches) == 2
            ? FakeRegistryError(HttpStatusCode.BadGateway) : resp;
        var data = TestData.RandomBytes(300);
        var d = await r.Repo().PushBytesAsync("application/octet-stream", data);
        Assert.Equal(data, r.Fake.Blobs[$"demo/app|{d.Digest}"]);
        Assert.Equal(["0-99", "100-199", "200-299"], r.Fake.Log.Where(l => l.Method == HttpMethod.Patch).Select(l => l.ContentRange));
        Assert.Single(r.Delays);
    }

    [Fact]
    public async Task Transient_network_error_on_PATCH_checks_status_before_sending_again()
    {
        using var r = new FakeRemote(chunkThreshold: 100, chunkSize: 100);
        var patches = 0;
        r.Fake.Intercept = (req, _) => req.Method == HttpMethod.Patch && Interlocked.Increment(ref patches) == 1
            ? throw new HttpRequestException("connection reset") : null;
        var data = TestData.RandomBytes(200);
        await r.Repo().PushBytesAsync("application/octet-stream", data);
        var lines = r.Fake.Lines.ToList();
        Assert.StartsWith("PATCH", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("GET /v2/demo/app/blobs/uploads/u1", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("PATCH", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Content_that_does_not_match_the_descriptor_is_refused_before_the_upload_is_closed()
    {
        using var r = new FakeRemote();
        var data = TestData.RandomBytes(100);
        var wrong = Descriptor.FromBytes("application/octet-stream", TestData.RandomBytes(100, seed: 2));
        await Assert.ThrowsAsync<DigestMismatchException>(() => r.Repo().PushAsync(wrong, new MemoryStream(data)));
        Assert.DoesNotContain(r.Fake.Log, l => l.Method == HttpMethod.Put);
        Assert.Contains(r.Fake.Log, l => l.Method == HttpMethod.Delete);
        var shortOne = wrong with { Size = 150 };
        await Assert.ThrowsAsync<SizeMismatchException>(() => r.Repo().PushAsync(shortOne, new MemoryStream(data)));
    }

    [Fact]
    public async Task Fetched_blob_that_was_tampered_with_throws_digest_mismatch_at_end_of_stream()
    {
        using var r = new FakeRemote();
        var repo = r.Repo();
        var d = await repo.PushBytesAsync("application/octet-stream", TestData.RandomBytes(1000));
        r.Fake.Blobs[$"demo/app|{d.Digest}"] = TestData.RandomBytes(1000, seed: 9);
        await using var s = await repo.FetchAsync(d);
        await Assert.ThrowsAsync<DigestMismatchException>(() => s.CopyToAsync(Stream.Null));
        r.Fake.Blobs[$"demo/app|{d.Digest}"] = TestData.RandomBytes(999);
        await Assert.ThrowsAsync<SizeMismatchException>(() => repo.FetchAsync(d));
    }

    [Fact]
    public async Task Download_cut_off_midway_resumes_with_a_Range_request_and_still_verifies()
    {
        using var r = new FakeRemote();
        var repo = r.Repo();
        var data = TestData.RandomBytes(100_000, 4);
        var d = await repo.PushBytesAsync("application/octet-stream", data);
        var gets = 0;
        r.Fake.Rewrite = (req, resp, _) =>
        {
            if (req.Method != HttpMethod.Get || !req.RequestUri!.AbsolutePath.Contains("/blobs/sha256", StringComparison.Ordinal)) return resp;
            if (Interlocked.Increment(ref gets) > 2) return resp;
            var bytes = resp.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
            var cut = new HttpResponseMessage(resp.StatusCode) { Content = new StreamContent(new BreakingStream(bytes, 30_000)) };
            foreach (var h in resp.Headers) cut.Headers.TryAddWithoutValidation(h.Key, h.Value);
            foreach (var h in resp.Content.Headers) cut.Content.Headers.TryAddWithoutValidation(h.Key, h.Value);
            return cut;
        };
        Assert.Equal(data, await repo.FetchAllAsync(d, long.MaxValue));
        var ranges = r.Fake.Log.Where(l => l.Method == HttpMethod.Get).Select(l => l.Headers.Range?.ToString()).ToList();
        Assert.Equal([null, "bytes=30000-", "bytes=60000-"], ranges);
        Assert.Equal(2, r.Delays.Count);
    }

    [Fact]
    public async Task Download_without_range_support_fails_with_the_network_error()
    {
        using var r = new FakeRemote();
        var repo = r.Repo();
        var data = TestData.RandomBytes(1000, 4);
        var d = await repo.PushBytesAsync("application/octet-stream", data);
        r.Fake.Rewrite = (req, resp, _) =>
        {
            if (req.Method != HttpMethod.Get) return resp;
            var bytes = resp.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new BreakingStream(bytes.Length == 1000 ? bytes : data, 500)) };
        };
        await Assert.ThrowsAnyAsync<IOException>(() => repo.FetchAllAsync(d, long.MaxValue));
    }

    /// <summary>Serves its bytes up to a point, then fails like a dropped connection.</summary>
    private sealed class BreakingStream(byte[] data, int breakAt) : MemoryStream(data, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (Position >= breakAt) throw new IOException("connection reset by peer");
            return base.Read(buffer, offset, (int)Math.Min(count, breakAt - Position));
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position >= breakAt) throw new IOException("connection reset by peer");
            return base.ReadAsync(buffer[..(int)Math.Min(buffer.Length, breakAt - Position)], cancellationToken);
        }
    }

    [Fact]
    public async Task Missing_blob_is_NotFound_with_the_registry_error_inside()
    {
        using var r = new FakeRemote();
        var d = Descriptor.FromBytes("application/octet-stream", [1, 2, 3]);
        var e = await Assert.ThrowsAsync<NotFoundException>(() => r.Repo().FetchAsync(d));
        var inner = Assert.IsType<RegistryResponseException>(e.InnerException);
        Assert.True(inner.HasCode(ErrorCodes.BlobUnknown));
        Assert.False(await r.Repo().ExistsAsync(d));
    }

    [Fact]
    public async Task Mount_from_a_sibling_repository_uploads_nothing()
    {
        using var r = new FakeRemote();
        var d = await r.Repo("demo/a").PushBytesAsync("application/octet-stream", TestData.RandomBytes(10));
        r.Fake.Log.Clear();
        await r.Repo("demo/b").MountAsync(d, "demo/a");
        Assert.Equal([$"POST /v2/demo/b/blobs/uploads/?mount={Uri.EscapeDataString(d.Digest.ToString())}&from=demo%2Fa"], r.Fake.Lines);
        Assert.True(await r.Repo("demo/b").ExistsAsync(d));
    }

    [Fact]
    public async Task Refused_mount_falls_back_to_uploading_the_content()
    {
        using var r = new FakeRemote();
        var data = TestData.RandomBytes(10);
        var d = Descriptor.FromBytes("application/octet-stream", data);
        await r.Repo("demo/b").MountAsync(d, "demo/elsewhere", _ => Task.FromResult<Stream>(new MemoryStream(data)));
        Assert.Equal(data, r.Fake.Blobs[$"demo/b|{d.Digest}"]);
    }

    internal static HttpResponseMessage FakeRegistryError(HttpStatusCode status) => Fakes.FakeRegistry.Error(status, "UNKNOWN");
}
