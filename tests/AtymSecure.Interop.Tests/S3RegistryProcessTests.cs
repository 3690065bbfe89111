using System.Net;
using System.Net.Http.Headers;
using AtymSecure.Interop.Tests.Infrastructure;
using AtymSecure.ObjectStore;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Remote;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Interop.Tests;

/// <summary>
/// <c>atym registry serve --blobs s3://…</c> as a real process on a real Ceph RADOS Gateway: skopeo pushes and pulls
/// through it with identical digests, every blob is an object in the bucket, and a kill -9 mid-push leaves nothing under
/// a blob's key while the session resumes after the restart.
/// </summary>
[Trait("Requires", "s3")]
[Trait("Requires", "skopeo")]
[Trait("Requires", "process")]
public sealed class S3RegistryProcessTests : IDisposable
{
    private readonly TempFolder _temp = TempFolder.Create("s3-skopeo");
    private readonly string _url = CephObjectGateway.Shared.Url(CephObjectGateway.NewBucketName("process"));
    private readonly S3ObjectStore _objects;

    public S3RegistryProcessTests()
    {
        _objects = S3ObjectStore.Open(_url);
        _objects.CreateBucketAsync().GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _objects.Dispose();
        _temp.Dispose();
    }

    private async Task<AtymRegistryProcess> StartRegistryAsync()
    {
        var registry = new AtymRegistryProcess(serveArguments: ["--blobs", _url]);
        await registry.StartAsync();
        return registry;
    }

    private static byte[] Random(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    private Task<ObjectEntry?> BlobObjectAsync(Digest digest) => _objects.HeadAsync($"blobs/sha256/{digest.Encoded[..2]}/{digest.Encoded}");

    [Fact]
    public async Task Skopeo_round_trips_images_through_the_object_store_with_identical_digests()
    {
        await using var registry = await StartRegistryAsync();
        Assert.Contains("blobs in s3://***@", registry.Log, StringComparison.Ordinal);
        Assert.DoesNotContain(CephObjectGateway.SecretKey, registry.Log, StringComparison.Ordinal);
        var layout = await SampleContent.NewLayoutAsync(Path.Combine(_temp.Path, "src"));
        foreach (var (tag, expected) in new[] { ("image", await SampleContent.WriteImageAsync(layout, "image")), ("wasm", await SampleContent.WriteWasmAsync(layout, "wasm")) })
        {
            (await Skopeo.RunAsync("copy", "--dest-tls-verify=false", "--preserve-digests", $"oci:{layout.Root}:{tag}", $"docker://{registry.HostPort}/s3/app:{tag}"))
                .EnsureSuccess($"skopeo push {tag}");
            var raw = (await Skopeo.RunAsync("inspect", "--raw", "--tls-verify=false", $"docker://{registry.HostPort}/s3/app:{tag}")).EnsureSuccess($"skopeo inspect {tag}");
            Assert.Equal(expected.Digest, Digest.Compute(System.Text.Encoding.UTF8.GetBytes(raw.StdOut.TrimEnd('\n'))));
            Assert.NotNull(await BlobObjectAsync(expected.Digest));
            var back = Path.Combine(_temp.Path, "back-" + tag);
            (await Skopeo.RunAsync("copy", "--src-tls-verify=false", "--preserve-digests", $"docker://{registry.HostPort}/s3/app:{tag}", $"oci:{back}:{tag}"))
                .EnsureSuccess($"skopeo pull {tag}");
            Assert.Equal(expected.Digest, (await (await SampleContent.NewLayoutAsync(back)).ResolveAsync(tag)).Digest);
        }

        // A layer larger than one part, pushed by our client, pulled by skopeo byte for byte.
        var repository = new Repository($"{registry.HostPort}/s3/files");
        var blob = Random((17 << 20) + 17, 5);
        var layer = await repository.PushBytesAsync("application/octet-stream", blob);
        await repository.PushBytesAsync(MediaTypes.EmptyJson, "{}"u8.ToArray());
        var manifest = await SampleContent.PushManifestAsync(repository, new ImageManifest
        {
            ArtifactType = "application/vnd.example.data", Config = Descriptor.Empty with { Data = null }, Layers = [layer],
        }, "data");
        var pulled = Path.Combine(_temp.Path, "pulled");
        (await Skopeo.RunAsync("copy", "--src-tls-verify=false", "--preserve-digests", $"docker://{registry.HostPort}/s3/files:data", $"oci:{pulled}:data"))
            .EnsureSuccess("skopeo pull of the large layer");
        Assert.Equal(blob, await File.ReadAllBytesAsync(Path.Combine(pulled, "blobs", "sha256", layer.Digest.Encoded)));
        Assert.Equal(manifest.Digest, (await (await SampleContent.NewLayoutAsync(pulled)).ResolveAsync("data")).Digest);
        Assert.Equal(blob.Length, (await BlobObjectAsync(layer.Digest))!.Size);
        await foreach (var _ in _objects.ListAsync("uploads/")) Assert.Fail("an upload's objects outlived its commit");
    }

    [Fact]
    public async Task Kill_9_mid_push_leaves_nothing_under_the_blob_key_and_the_session_resumes_from_its_stored_chunks()
    {
        await using var registry = await StartRegistryAsync();
        using var http = new HttpClient { BaseAddress = registry.BaseUri };
        var big = Random(40 << 20, 7);
        var digest = Digest.Compute(big);
        using var start = await http.PostAsync("v2/crash/app/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!.ToString();
        var uploadId = location.Split('?')[0].Split('/')[^1];

        // A monolithic PUT of 40 MiB stalled after 20 MiB: the registry has stored one 16 MiB chunk object when it dies.
        using var stall = new CancellationTokenSource();
        var stalling = new StallingContent(big[..(20 << 20)], stall.Token);
        var put = http.PutAsync($"{location}{(location.Contains('?') ? "&" : "?")}digest={digest}", stalling);
        await stalling.Sent.WaitAsync(TimeSpan.FromSeconds(60));
        await Wait.UntilAsync(async () => await _objects.HeadAsync($"uploads/{uploadId}/chunks/000000000000000") is not null,
            "the registry to store the stalled upload's first chunk", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));
        await registry.KillAsync();
        await stall.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => put);

        Assert.Null(await BlobObjectAsync(digest));
        await foreach (var _ in _objects.ListMultipartAsync("blobs/")) Assert.Fail("a multipart upload was started for an unverified blob");

        await registry.StartAsync();
        using var status = await http.GetAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        Assert.Equal($"0-{(16 << 20) - 1}", status.Headers.GetValues("Range").Single());
        var rest = new ByteArrayContent(big, 16 << 20, big.Length - (16 << 20));
        rest.Headers.TryAddWithoutValidation("Content-Range", $"{16 << 20}-{big.Length - 1}");
        rest.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var patched = await http.PatchAsync(status.Headers.Location ?? new Uri(location, UriKind.Relative), rest);
        Assert.Equal(HttpStatusCode.Accepted, patched.StatusCode);
        var close = patched.Headers.Location!.ToString();
        using var done = await http.PutAsync($"{close}{(close.Contains('?') ? "&" : "?")}digest={digest}", null);
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        using var get = await http.GetAsync($"v2/crash/app/blobs/{digest}");
        Assert.Equal(digest, Digest.Compute(await get.Content.ReadAsByteArrayAsync()));
        Assert.Equal(big.Length, (await BlobObjectAsync(digest))!.Size);
    }
}
