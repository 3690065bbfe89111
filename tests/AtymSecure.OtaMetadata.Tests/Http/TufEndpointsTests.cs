using System.Net;
using System.Text;
using AtymSecure.OtaMetadata.Http;
using AtymSecure.OtaMetadata.Repository;

namespace AtymSecure.OtaMetadata.Tests.Http;

public sealed class TufEndpointsTests : IDisposable
{
    private static readonly byte[] Image = Encoding.ASCII.GetBytes("served image bytes");
    private readonly RepositoryFixture _fixture = new();
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        _fixture.Dispose();
    }

    [Fact]
    public async Task Metadata_is_served_with_immutable_or_short_caching_and_unknown_names_are_404()
    {
        await using var server = await TufServer.StartAsync(_fixture.Image);

        var root = await _http.GetAsync(new Uri(server.MetadataUrl, "1.root.json"));
        var timestamp = await _http.GetAsync(new Uri(server.MetadataUrl, "timestamp.json"));
        var missing = await _http.GetAsync(new Uri(server.MetadataUrl, "2.root.json"));
        var traversal = await _http.GetAsync(new Uri(server.BaseUrl, "tuf/metadata/..%2F..%2Fkeys%2Fsnapshot.1.key"));

        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal(_fixture.Image.Metadata.Read("1.root.json"), await root.Content.ReadAsByteArrayAsync());
        Assert.Equal(TufEndpoints.ImmutableCache, root.Headers.CacheControl!.ToString());
        Assert.Equal(TufEndpoints.TimestampCache, timestamp.Headers.CacheControl!.ToString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, traversal.StatusCode);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, new Uri(server.MetadataUrl, "timestamp.json"));
        conditional.Headers.IfNoneMatch.Add(timestamp.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await _http.SendAsync(conditional)).StatusCode);
    }

    [Fact]
    public async Task A_listed_target_is_served_under_its_hash_prefixed_name_and_nothing_else_is()
    {
        var image = _fixture.Release(DirectorFixture.Release, Image, Encoding.ASCII.GetBytes("wasm"));
        ((FolderTargetContent)_fixture.Image.Content).Put(Image);
        await using var server = await TufServer.StartAsync(_fixture.Image);
        var directory = image.Path[..(image.Path.LastIndexOf('/') + 1)];
        var name = image.Path[(image.Path.LastIndexOf('/') + 1)..];

        var served = await _http.GetAsync(new Uri(server.TargetsUrl, $"{directory}{image.ImageSha256}.{name}"));
        var plain = await _http.GetAsync(new Uri(server.TargetsUrl, image.Path));
        var otherHash = await _http.GetAsync(new Uri(server.TargetsUrl, $"{directory}{new string('0', 64)}.{name}"));

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(Image, await served.Content.ReadAsByteArrayAsync());
        Assert.Equal(TufEndpoints.ImmutableCache, served.Headers.CacheControl!.ToString());
        Assert.Equal(HttpStatusCode.NotFound, plain.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherHash.StatusCode);
    }
}
