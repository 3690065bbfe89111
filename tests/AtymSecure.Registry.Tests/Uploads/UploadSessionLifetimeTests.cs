using Microsoft.Extensions.Time.Testing;
using System.Net;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Registry.Tests.Support;
using AtymSecure.TestSupport.Registry;
using AtymSecure.Registry.Uploads;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.Registry.Tests.Uploads;

/// <summary>Upload sessions survive a restart on the same data folder, and expire when idle.</summary>
public sealed class UploadSessionLifetimeTests
{
    private static ByteArrayContent Chunk(byte[] content, int offset, int length)
    {
        var body = new ByteArrayContent(content, offset, length);
        body.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + length - 1}");
        return body;
    }

    [Fact]
    public async Task Session_resumes_after_restart_via_status_get()
    {
        await using var registry = await LoopbackRegistry.StartAsync();
        var content = new byte[3 * 1024 * 1024 + 17];
        Random.Shared.NextBytes(content);
        var digest = Digest.Compute(content);
        using var post = await registry.Client.PostAsync("/v2/app/blobs/uploads/", null);
        var location = post.Headers.Location!.ToString();
        using (var first = await registry.Client.PatchAsync(location, Chunk(content, 0, 2_000_000)))
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        await registry.RestartAsync();

        using var status = await registry.Client.GetAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        Assert.Equal("0-1999999", RegistryCalls.Header(status, "Range"));
        using (var second = await registry.Client.PatchAsync(location, Chunk(content, 2_000_000, content.Length - 2_000_000)))
            Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        using var put = await registry.Client.PutAsync(RegistryCalls.WithQuery(location, $"digest={digest}"), null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var get = await registry.Client.GetAsync($"/v2/app/blobs/{digest}");
        Assert.Equal(content, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Committed_blobs_manifests_and_tags_survive_restart()
    {
        await using var registry = await LoopbackRegistry.StartAsync();
        var (manifest, digest) = await registry.Client.PushImageAsync("app", "v1");
        await registry.RestartAsync();
        using var get = await registry.Client.GetAsync("/v2/app/manifests/v1");
        Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(digest.ToString(), RegistryCalls.Header(get, OciHeaders.ContentDigest));
    }

    [Fact]
    public async Task Idle_session_expires_and_its_data_is_removed()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var registry = await LoopbackRegistry.StartAsync(
            o => o with { UploadExpiry = TimeSpan.FromMinutes(30), UploadSweepInterval = TimeSpan.FromHours(10) },
            b => b.Services.AddSingleton<TimeProvider>(clock));
        using var post = await registry.Client.PostAsync("/v2/app/blobs/uploads/", null);
        var location = post.Headers.Location!.ToString();
        using (await registry.Client.PatchAsync(location, new ByteArrayContent(new byte[1000]))) { }
        var uploads = registry.GetService<UploadService>();

        Assert.Equal(0, uploads.SweepExpired(TimeSpan.FromMinutes(30)));
        using (var alive = await registry.Client.GetAsync(location)) Assert.Equal(HttpStatusCode.NoContent, alive.StatusCode);

        clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(1, uploads.SweepExpired(TimeSpan.FromMinutes(30)));
        using var gone = await registry.Client.GetAsync(location);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(registry.DataDirectory, "uploads")));
    }

    [Fact]
    public async Task Background_sweeper_expires_sessions_on_its_own()
    {
        await using var registry = await LoopbackRegistry.StartAsync(
            o => o with { UploadExpiry = TimeSpan.FromMilliseconds(200), UploadSweepInterval = TimeSpan.FromMilliseconds(100) });
        using var post = await registry.Client.PostAsync("/v2/app/blobs/uploads/", null);
        var location = post.Headers.Location!.ToString();
        var status = HttpStatusCode.NoContent;
        for (var attempt = 0; attempt < 100 && status != HttpStatusCode.NotFound; attempt++)
        {
            await Task.Delay(100);
            using var response = await registry.Client.GetAsync(location);
            status = response.StatusCode;
        }
        Assert.Equal(HttpStatusCode.NotFound, status);
    }
}
