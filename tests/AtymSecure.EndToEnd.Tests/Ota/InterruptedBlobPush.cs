using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;

namespace AtymSecure.EndToEnd.Tests.Ota;

/// <summary>
/// A chunked OCI blob push (POST, then PATCH after PATCH, then the closing PUT with the digest) that a test interrupts:
/// <see cref="StartAsync"/> sends the first chunk (acknowledged: the registry stored it) and then a second PATCH that
/// sends <see cref="StalledBytes"/> bytes and stalls, its request still open, so the test can kill the registry replica
/// mid-chunk. <see cref="FinishOnAsync"/> then finishes the same session through another replica: it asks where the
/// session's data ends (the <c>Range</c> of <c>GET</c> on the upload URL; a chunk object the killed replica stored counts,
/// bytes it only buffered do not), sends the rest from there and closes the upload with the digest. The blob is
/// deterministic random bytes, so its digest is known before any byte is sent.
/// </summary>
internal sealed class InterruptedBlobPush : IAsyncDisposable
{
    private readonly byte[] _blob;
    private readonly string _repository;
    private readonly int _firstChunk;
    private readonly CancellationTokenSource _stall = new();
    private Task<HttpResponseMessage>? _stalled;
    private HttpClient? _to;

    /// <param name="repository">The repository the blob goes to (<c>name</c> in <c>/v2/NAME/blobs/uploads/</c>).</param>
    /// <param name="size">The blob's size.</param>
    /// <param name="firstChunk">The acknowledged first chunk's size.</param>
    /// <param name="stalledBytes">How much of the second PATCH is sent before it stalls.</param>
    public InterruptedBlobPush(string repository, int size, int firstChunk, int stalledBytes, int seed)
    {
        if (firstChunk + stalledBytes >= size) throw new ArgumentException("the stalled PATCH must end before the blob does", nameof(stalledBytes));
        _repository = repository;
        _blob = new byte[size];
        new Random(seed).NextBytes(_blob);
        Digest = Digest.Compute(_blob);
        _firstChunk = firstChunk;
        StalledBytes = stalledBytes;
    }

    public Digest Digest { get; }

    public long Size => _blob.Length;

    public int StalledBytes { get; }

    /// <summary>The upload session's URL as the first replica answered it (a path; the same on every replica).</summary>
    public string Location { get; private set; } = "";

    /// <summary>Where the survivor said the session's data ended (set by <see cref="FinishOnAsync"/>).</summary>
    public long ResumedAt { get; private set; }

    /// <summary>Opens the session on <paramref name="registry"/>, sends the first chunk, and returns once the stalled PATCH's
    /// bytes are on the wire.</summary>
    public async Task StartAsync(Uri registry)
    {
        _to = new HttpClient { BaseAddress = registry, Timeout = Timeout.InfiniteTimeSpan };
        using var post = await _to.PostAsync($"/v2/{_repository}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        Location = post.Headers.Location!.ToString();
        using (var chunk = Chunk(0, _firstChunk))
        {
            using var patched = await _to.PatchAsync(Location, chunk);
            Assert.Equal(HttpStatusCode.Accepted, patched.StatusCode);
            Location = patched.Headers.Location?.ToString() ?? Location;
        }
        var stalling = new StallingContent(_blob.AsMemory(_firstChunk, StalledBytes), _stall.Token);
        _stalled = _to.PatchAsync(Location, stalling);
        await Task.WhenAny(stalling.Sent, _stalled).WaitAsync(TimeSpan.FromSeconds(120));
        if (_stalled.IsCompleted) throw new InvalidOperationException($"the stalled PATCH ended early: {(await _stalled).StatusCode}");
    }

    /// <summary>After the replica was killed: the stalled request fails (its connection is gone) once the stall ends.</summary>
    public async Task AbandonStalledAsync()
    {
        await _stall.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => _stalled!);
    }

    /// <summary>Resumes the session on <paramref name="survivor"/> where its stored data ends and closes it with the digest.</summary>
    public async Task FinishOnAsync(Uri survivor)
    {
        using var to = new HttpClient { BaseAddress = survivor, Timeout = TimeSpan.FromMinutes(2) };
        using var status = await to.GetAsync(Location);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        ResumedAt = long.Parse(status.Headers.GetValues("Range").Single().Split('-')[1], CultureInfo.InvariantCulture) + 1;
        // Nothing acknowledged is lost; nothing beyond what was sent can be there.
        Assert.InRange(ResumedAt, _firstChunk, _firstChunk + StalledBytes);
        var location = status.Headers.Location?.ToString() ?? Location;
        using (var rest = Chunk((int)ResumedAt, _blob.Length - (int)ResumedAt))
        {
            using var patched = await to.PatchAsync(location, rest);
            Assert.Equal(HttpStatusCode.Accepted, patched.StatusCode);
            location = patched.Headers.Location?.ToString() ?? location;
        }
        using var put = await to.PutAsync($"{location}{(location.Contains('?', StringComparison.Ordinal) ? '&' : '?')}digest={Digest}", null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    /// <summary>The blob's bytes, to compare what a registry serves with.</summary>
    public ReadOnlyMemory<byte> Bytes => _blob;

    private ByteArrayContent Chunk(int offset, int length)
    {
        var content = new ByteArrayContent(_blob, offset, length);
        content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + length - 1}");
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    public ValueTask DisposeAsync()
    {
        _stall.Cancel();
        _stall.Dispose();
        _to?.Dispose();
        return ValueTask.CompletedTask;
    }
}
