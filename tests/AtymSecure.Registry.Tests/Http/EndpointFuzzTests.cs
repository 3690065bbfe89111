using System.Text;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Registry.Tests.Support;
using AtymSecure.TestSupport.Registry;
using CsCheck;

namespace AtymSecure.Registry.Tests.Http;

/// <summary>Random methods, paths, headers and bodies thrown at every endpoint: the answer is never a 5xx.</summary>
public sealed class EndpointFuzzTests : IAsyncLifetime
{
    private readonly LoopbackRegistry _registry = new();
    private string _uploadLocation = "";
    private Digest _blob;

    public async Task InitializeAsync()
    {
        await _registry.InitializeAsync();
        await _registry.Client.PushImageAsync("app", "v1");
        _blob = await _registry.Client.PushBlobAsync("app", "fuzz"u8.ToArray());
        using var post = await _registry.Client.PostAsync("/v2/app/blobs/uploads/", null);
        _uploadLocation = post.Headers.Location!.ToString();
    }

    public Task DisposeAsync() => _registry.DisposeAsync().AsTask();

    private static Gen<T> Pick<T>(params T[] items) => Gen.Int[0, items.Length - 1].Select(i => items[i]);

    // (%00 is left out here; RawSocketTests sends it to Kestrel byte for byte.)
    private Gen<string> Segment => Gen.OneOf(
        Pick("v2", "app", "blobs", "uploads", "manifests", "tags", "list", "referrers", "v1", "", "..", ".", "a", "A",
            "%2F", "%01", "sha256:", "sha512:abc", "x:y", _blob.ToString(), _uploadLocation.Split('/')[^1], new string('z', 300)),
        Gen.String[Gen.Char["a-z0-9._:-"], 0, 20],
        Gen.String[0, 12].Select(s => Uri.EscapeDataString(s.Replace('\0', 'x'))));

    private Gen<string> PathGen => Gen.OneOf(
        Segment.Array[0, 7].Select(s => "/v2/" + string.Join('/', s)),
        Segment.Array[0, 4].Select(s => "/v2/app/" + string.Join('/', s)),
        Pick(_uploadLocation, $"/v2/app/blobs/{_blob}", "/v2/app/manifests/v1", "/v2/app/tags/list", "/v2/app/blobs/uploads/"))
        .Select(Pick("", "?digest=" + _blob, "?n=5&last=a", "?mount=" + _blob + "&from=app", "?tag=x&tag=-", "?digest=sha256:zz",
            "?artifactType=%01", "?n=99999999999", "?digest-algorithm=sha512"), (p, q) => p + q);

    private static readonly Gen<(string, string)> HeaderGen = Gen.Select(
        Pick("Content-Range", "Range", "Content-Type", "Accept", "Authorization", "X-Junk"),
        Gen.OneOf(Pick("0-3", "bytes=0-", "bytes=-1", "5-2", "0-99999999999999999999", "application/vnd.oci.image.index.v1+json",
            "Bearer a.b.c", "Basic !!!", "bytes=1-2,3-4"), Gen.String[Gen.Char[' ', '~'], 0, 30]));

    [Fact]
    public async Task Random_requests_never_produce_a_server_error()
    {
        var methods = Pick("GET", "HEAD", "PUT", "POST", "PATCH", "DELETE", "OPTIONS");
        var bodies = Gen.OneOf(Gen.Byte.Array[0, 600], Pick(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{}}"u8.ToArray(),
            "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"a/b\",\"digest\":\"sha256:1\",\"size\":1}]}"u8.ToArray(),
            Encoding.UTF8.GetBytes(new string('[', 200))));
        await Gen.Select(methods, PathGen, HeaderGen.Array[0, 3], bodies).SampleAsync(async (method, path, headers, body) =>
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is not ("GET" or "HEAD")) request.Content = new ByteArrayContent(body);
            foreach ((string name, string value) in headers)
            {
                if (name is "Content-Range" or "Content-Type")
                {
                    if (request.Content is not null) request.Content.Headers.TryAddWithoutValidation(name, value);
                }
                else request.Headers.TryAddWithoutValidation(name, value);
            }
            using var response = await _registry.Client.SendAsync(request);
            Assert.True((int)response.StatusCode < 500, $"{method} {path} [{string.Join("; ", headers)}] -> {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }, iter: 400);
    }
}
