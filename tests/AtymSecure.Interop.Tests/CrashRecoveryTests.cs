using System.Net;
using System.Net.Http.Headers;
using AtymSecure.Interop.Tests.Infrastructure;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Remote;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Interop.Tests;

/// <summary>
/// kill -9 of the registry process in the middle of pushes, then a restart on the same data:
/// no partial blob is visible, every committed blob and tag is intact, and a chunked upload
/// session resumes from what the registry had durably received.
/// </summary>
[Trait("Requires", "process")]
public sealed class CrashRecoveryTests
{
    /// <summary>The session id of an upload URL (<c>/v2/NAME/blobs/uploads/ID?...</c>).</summary>
    private static string UploadId(Uri location)
    {
        var path = location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString.Split('?')[0];
        return path[(path.LastIndexOf('/') + 1)..];
    }

    private static byte[] Random(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Fact]
    public async Task Kill_9_mid_push_leaves_no_partial_blob_and_keeps_committed_content()
    {
        await using var registry = await AtymRegistryProcess.StartAsync();
        var repository = new Repository($"{registry.HostPort}/crash/app");
        var committed = await SampleContent.WriteWasmAsync(repository, "stable");
        var committedBlob = Random(2 * 1024 * 1024, 1);
        var committedLayer = await repository.PushBytesAsync("application/octet-stream", committedBlob);

        using var http = new HttpClient { BaseAddress = registry.BaseUri };
        var big = Random(8 * 1024 * 1024, 2);
        var bigDigest = Digest.Compute(big);

        // A chunked session with one complete chunk, then a second chunk cut off by the kill.
        var start = await http.PostAsync("v2/crash/app/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var session = start.Headers.Location!;
        var firstChunk = new ByteArrayContent(big, 0, 3 * 1024 * 1024);
        firstChunk.Headers.ContentRange = null;
        firstChunk.Headers.TryAddWithoutValidation("Content-Range", $"0-{3 * 1024 * 1024 - 1}");
        firstChunk.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var afterFirst = await http.PatchAsync(session, firstChunk);
        Assert.Equal(HttpStatusCode.Accepted, afterFirst.StatusCode);
        session = afterFirst.Headers.Location!;

        // A monolithic upload of another blob, stalled halfway when the process dies.
        var monolithic = Random(4 * 1024 * 1024, 3);
        var monoStart = await http.PostAsync("v2/crash/app/blobs/uploads/", null);
        using var stall = new CancellationTokenSource();
        var stalling = new StallingContent(monolithic[..(2 * 1024 * 1024)], stall.Token);
        var monoPut = http.PutAsync(new Uri(monoStart.Headers.Location! + (monoStart.Headers.Location!.ToString().Contains('?') ? "&" : "?") +
            "digest=" + Digest.Compute(monolithic), UriKind.RelativeOrAbsolute), stalling);
        await stalling.Sent.WaitAsync(TimeSpan.FromSeconds(30));
        // Kill once the server has written part of what was sent into the session's upload file.
        var monoUpload = Path.Combine(registry.DataDirectory, "uploads", UploadId(monoStart.Headers.Location!));
        await Wait.UntilAsync(() => File.Exists(monoUpload) && new FileInfo(monoUpload).Length >= 1024 * 1024,
            "the registry to write the stalled upload's first MiB", TimeSpan.FromSeconds(30));

        await registry.KillAsync();
        await stall.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => monoPut);
        await registry.StartAsync();

        // Nothing partial is visible.
        using var headBig = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"v2/crash/app/blobs/{bigDigest}"));
        Assert.Equal(HttpStatusCode.NotFound, headBig.StatusCode);
        using var headMono = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"v2/crash/app/blobs/{Digest.Compute(monolithic)}"));
        Assert.Equal(HttpStatusCode.NotFound, headMono.StatusCode);

        // Everything committed is intact.
        var reopened = new Repository($"{registry.HostPort}/crash/app");
        Assert.Equal(committed.Digest, (await reopened.ResolveAsync("stable")).Digest);
        Assert.Equal(committedBlob, await reopened.FetchAllAsync(committedLayer, maxBytes: committedBlob.Length));

        // The chunked session survived: its status reports the first chunk, and it resumes from there.
        using var status = await http.GetAsync(session);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        var range = status.Headers.GetValues("Range").Single();
        var end = long.Parse(range.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(3 * 1024 * 1024 - 1, end);
        var rest = new ByteArrayContent(big, (int)end + 1, big.Length - (int)end - 1);
        rest.Headers.TryAddWithoutValidation("Content-Range", $"{end + 1}-{big.Length - 1}");
        rest.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var afterRest = await http.PatchAsync(status.Headers.Location ?? session, rest);
        Assert.Equal(HttpStatusCode.Accepted, afterRest.StatusCode);
        var close = afterRest.Headers.Location!.ToString();
        using var done = await http.PutAsync(close + (close.Contains('?') ? "&" : "?") + "digest=" + bigDigest, null);
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        Assert.Equal(big, await reopened.FetchAllAsync(new Descriptor { MediaType = "application/octet-stream", Digest = bigDigest, Size = big.Length }, maxBytes: big.Length));
    }
}
