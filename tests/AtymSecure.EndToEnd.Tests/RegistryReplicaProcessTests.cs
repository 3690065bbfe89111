using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.EndToEnd.Tests;

/// <summary>
/// Issue 17 §1 through real processes: two `atym registry serve --store postgres://…` replicas on one database and one
/// shared `--data` blob folder. What one replica takes the other serves (tags, manifests, blobs, upload sessions); a
/// kill -9 of one in the middle of a blob upload loses nothing committed, shows no partial blob, and the upload resumes and
/// completes on the survivor, which the killed replica serves again after its restart.
/// </summary>
[Trait("Requires", "postgres")]
[Trait("Requires", "process")]
public sealed class RegistryReplicaProcessTests : IAsyncLifetime
{
    private const int MiB = 1 << 20;
    private readonly TempFolder _folder = TempFolder.Create("registry-replicas");
    private readonly AtymProcess _atym;
    private readonly string _database = PostgresServer.Shared.CreateDatabase("registry_replicas");
    private AtymRegistryProcess _first = null!;
    private AtymRegistryProcess _second = null!;

    public RegistryReplicaProcessTests() => _atym = new AtymProcess(_folder.Path, new Dictionary<string, string>());

    public async Task InitializeAsync()
    {
        var data = _folder.Folder("shared-data");
        string[] store = ["--store", PostgresServer.Shared.Url(_database)];
        _first = new AtymRegistryProcess(data, store);
        _second = new AtymRegistryProcess(data, store);
        // Both at once: the schema migration is serialized between them (an advisory lock), neither fails.
        await Task.WhenAll(_first.StartAsync(), _second.StartAsync());
    }

    public async Task DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        PostgresServer.Shared.DropDatabase(_database);
        _folder.Dispose();
    }

    [Fact]
    public async Task Replicas_serve_each_others_pushes_and_a_kill_mid_upload_loses_nothing_committed()
    {
        Assert.Contains("metadata in PostgreSQL postgres://postgres@127.0.0.1:", _first.Log, StringComparison.Ordinal);
        using var toFirst = new HttpClient { BaseAddress = _first.BaseUri };
        using var toSecond = new HttpClient { BaseAddress = _second.BaseUri };

        // Push to the first with `atym push`, read it back from the second.
        _folder.Write("payload.txt", "hello from replica one\n");
        var pushed = await _atym.Ok("push", $"{_first.HostPort}/apps/demo:v1", "payload.txt");
        var digest = pushed.Split('\n').Single(l => l.StartsWith("Digest: ", StringComparison.Ordinal))["Digest: ".Length..].Trim();
        Assert.Contains(digest, await _atym.Ok("manifest", "fetch", "--descriptor", $"{_second.HostPort}/apps/demo:v1"), StringComparison.Ordinal);
        var manifestBytes = await toSecond.GetByteArrayAsync($"/v2/apps/demo/manifests/{digest}");
        Assert.Equal(digest, Digest.Compute(manifestBytes).ToString());
        await _atym.Ok("tag", $"{_second.HostPort}/apps/demo@{digest}", "v2");
        Assert.Equal("""{"name":"apps/demo","tags":["v1","v2"]}""", await toFirst.GetStringAsync("/v2/apps/demo/tags/list"));

        // A chunked upload on the first: one chunk acknowledged, the next one half sent when the first replica is killed.
        var layer = new byte[4 * MiB];
        new Random(17).NextBytes(layer);
        var layerDigest = Digest.Compute(layer);
        using var post = await toFirst.PostAsync("/v2/apps/demo/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var location = post.Headers.Location!.ToString();
        var uploadFile = Path.Combine(_first.DataDirectory, "uploads", location.Split('/')[^1].Split('?')[0]);
        using (var chunk = new ByteArrayContent(layer, 0, MiB))
        {
            chunk.Headers.TryAddWithoutValidation("Content-Range", $"0-{MiB - 1}");
            using var patched = await toFirst.PatchAsync(location, chunk);
            Assert.Equal(HttpStatusCode.Accepted, patched.StatusCode);
        }
        using var hang = new CancellationTokenSource();
        var stalled = toFirst.PatchAsync(location, new StallingContent(layer.AsMemory(MiB, 2 * MiB + 1000), hang.Token));
        await Wait.UntilAsync(() => new FileInfo(uploadFile).Length >= 3 * MiB, "the second chunk reaches the upload file", TimeSpan.FromSeconds(60));
        await _first.KillAsync();
        await hang.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => stalled);

        // The survivor serves everything committed, and no partial blob under the layer's digest.
        Assert.Equal("""{"name":"apps/demo","tags":["v1","v2"]}""", await toSecond.GetStringAsync("/v2/apps/demo/tags/list"));
        Assert.Equal(manifestBytes, await toSecond.GetByteArrayAsync("/v2/apps/demo/manifests/v2"));
        using (var missing = await toSecond.GetAsync($"/v2/apps/demo/blobs/{layerDigest}")) Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        AssertEveryBlobFileMatchesItsName(_second.DataDirectory);

        // The session lives in the database and its data in the shared folder: the survivor resumes it where the data ends.
        using var status = await toSecond.GetAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        var end = long.Parse(status.Headers.GetValues("Range").Single().Split('-')[1], System.Globalization.CultureInfo.InvariantCulture) + 1;
        Assert.InRange(end, 3 * MiB, layer.Length);
        using (var rest = new ByteArrayContent(layer, (int)end, layer.Length - (int)end))
        {
            using var put = await toSecond.PutAsync($"{location}{(location.Contains('?', StringComparison.Ordinal) ? '&' : '?')}digest={layerDigest}", rest);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }
        var manifest = await OneLayerImage.PutAsync(toSecond, "apps/demo", "resumed", layerDigest, layer.Length);

        // The killed replica, restarted, serves all of it.
        await _first.StartAsync();
        Assert.Equal("""{"name":"apps/demo","tags":["resumed","v1","v2"]}""", await toFirst.GetStringAsync("/v2/apps/demo/tags/list"));
        Assert.Equal(manifest, await toFirst.GetByteArrayAsync("/v2/apps/demo/manifests/resumed"));
        Assert.Equal(layer, await toFirst.GetByteArrayAsync($"/v2/apps/demo/blobs/{layerDigest}"));
        AssertEveryBlobFileMatchesItsName(_first.DataDirectory);
    }

    private static void AssertEveryBlobFileMatchesItsName(string data)
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(data, "blobs", "sha256"), "*", SearchOption.AllDirectories))
            Assert.Equal("sha256:" + Path.GetFileName(file), Digest.Compute(File.ReadAllBytes(file)).ToString());
    }
}
