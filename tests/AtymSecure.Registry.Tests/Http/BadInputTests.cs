using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Registry.Tests.Support;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Registry.Tests.Http;

/// <summary>Malformed or hostile requests get a 4xx with a spec error code, never a 5xx, and change nothing.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private readonly LoopbackRegistry _registry = new();
    private HttpClient Client => _registry.Client;

    public Task InitializeAsync() => _registry.InitializeAsync();
    public Task DisposeAsync() => _registry.DisposeAsync().AsTask();

    public static TheoryData<string> BadNames() => new()
    {
        // (dot segments like "../" are normalised away by HttpClient; RawSocketTests sends them verbatim)
        "Upper/Case", "a//b", "-leading", "trailing-", "a..b", "a/", new string('a', 256),
        string.Join('/', Enumerable.Repeat("segment", 40)), "sp ace", "a%2Fb",
    };

    [Theory]
    [MemberData(nameof(BadNames))]
    public async Task Invalid_repository_names_are_400_name_invalid(string name)
    {
        using var response = await Client.GetAsync($"/v2/{name}/tags/list");
        Assert.True((int)response.StatusCode is 400 or 404, $"{name}: {response.StatusCode}");
        var code = await RegistryCalls.ErrorCodeAsync(response);
        Assert.Contains(code, new[] { ErrorCodes.NameInvalid, ErrorCodes.NameUnknown });
        using var post = await Client.PostAsync($"/v2/{name}/blobs/uploads/", null);
        Assert.True((int)post.StatusCode is 400 or 404);
    }

    [Fact]
    public async Task Names_with_upper_case_or_300_chars_are_name_invalid()
    {
        foreach (var name in new[] { "Upper", new string('a', 300) })
        {
            using var response = await Client.GetAsync($"/v2/{name}/manifests/latest");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(ErrorCodes.NameInvalid, await RegistryCalls.ErrorCodeAsync(response));
        }
    }

    [Theory]
    [InlineData("sha256:abc")]
    [InlineData("sha256:ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    [InlineData("md5:")]
    [InlineData("sha256:../../etc/passwd")]
    [InlineData(":")]
    public async Task Garbage_digests_are_400_digest_invalid(string digest)
    {
        foreach (var path in new[] { $"/v2/app/blobs/{digest}", $"/v2/app/manifests/{digest}", $"/v2/app/referrers/{digest}" })
        {
            using var response = await Client.GetAsync(path);
            Assert.True((int)response.StatusCode is 400 or 404, $"{path}: {response.StatusCode}");
            if (response.StatusCode == HttpStatusCode.BadRequest)
                Assert.Equal(ErrorCodes.DigestInvalid, await RegistryCalls.ErrorCodeAsync(response));
        }
    }

    [Fact]
    public async Task Wrong_digest_on_close_is_400_and_no_blob_appears()
    {
        using var post = await Client.PostAsync("/v2/app/blobs/uploads/", null);
        var wrong = Digest.Compute("other content"u8);
        using var put = await Client.PutAsync(RegistryCalls.WithQuery(post.Headers.Location!.ToString(), $"digest={wrong}"),
            RegistryCalls.Octets("content"u8.ToArray()));
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal(ErrorCodes.DigestInvalid, await RegistryCalls.ErrorCodeAsync(put));
        using var get = await Client.GetAsync($"/v2/app/blobs/{wrong}");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        using var single = await Client.PostAsync($"/v2/app/blobs/uploads/?digest={wrong}", RegistryCalls.Octets("content"u8.ToArray()));
        Assert.Equal(HttpStatusCode.BadRequest, single.StatusCode);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_registry.DataDirectory, "blobs"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Put_without_digest_or_with_unsupported_algorithm_is_400()
    {
        using var post = await Client.PostAsync("/v2/app/blobs/uploads/", null);
        var location = post.Headers.Location!.ToString();
        using var none = await Client.PutAsync(location, RegistryCalls.Octets([1]));
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        Assert.Equal(ErrorCodes.DigestInvalid, await RegistryCalls.ErrorCodeAsync(none));
        using var md5 = await Client.PutAsync(RegistryCalls.WithQuery(location, "digest=md5:abcdef"), RegistryCalls.Octets([1]));
        Assert.Equal(HttpStatusCode.BadRequest, md5.StatusCode);
        using var algo = await Client.PostAsync("/v2/app/blobs/uploads/?digest-algorithm=md5", null);
        Assert.Equal(HttpStatusCode.BadRequest, algo.StatusCode);
    }

    [Fact]
    public async Task Chunk_whose_content_range_disagrees_with_its_body_is_refused_and_leaves_the_session_unchanged()
    {
        using var post = await Client.PostAsync("/v2/app/blobs/uploads/", null);
        var location = post.Headers.Location!.ToString();
        var longer = new ByteArrayContent(new byte[20]);
        longer.Headers.TryAddWithoutValidation("Content-Range", "0-9");
        using var tooLong = await Client.PatchAsync(location, longer);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(ErrorCodes.SizeInvalid, await RegistryCalls.ErrorCodeAsync(tooLong));
        var shorter = new ByteArrayContent(new byte[5]);
        shorter.Headers.TryAddWithoutValidation("Content-Range", "0-9");
        using var tooShort = await Client.PatchAsync(location, shorter);
        Assert.Equal(HttpStatusCode.BadRequest, tooShort.StatusCode);
        using var status = await Client.GetAsync(location);
        Assert.Equal("0-0", RegistryCalls.Header(status, "Range"));
        Assert.Equal(0, new FileInfo(Path.Combine(_registry.DataDirectory, "uploads", location.Split('/')[^1])).Length);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("5-2")]
    [InlineData("-5")]
    [InlineData("1-")]
    public async Task Malformed_content_range_is_416(string range)
    {
        using var post = await Client.PostAsync("/v2/app/blobs/uploads/", null);
        var body = new ByteArrayContent(new byte[4]);
        body.Headers.TryAddWithoutValidation("Content-Range", range);
        using var patch = await Client.PatchAsync(post.Headers.Location!, body);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, patch.StatusCode);
    }

    [Fact]
    public async Task Unknown_or_foreign_upload_ids_are_404_blob_upload_unknown()
    {
        foreach (var id in new[] { "00000000000000000000000000000000", "..%2F..%2Fmetadata.db", "not-a-session" })
        {
            using var response = await Client.GetAsync($"/v2/app/blobs/uploads/{id}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal(ErrorCodes.BlobUploadUnknown, await RegistryCalls.ErrorCodeAsync(response));
        }
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}")]
    [InlineData("{\"schemaVersion\":1,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"a/b\",\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2}}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"a/b\",\"digest\":\"sha256:short\",\"size\":-1},\"layers\":{}}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}")]
    public async Task Malformed_manifests_are_400_manifest_invalid(string json)
    {
        using var response = await Client.PutManifestAsync("app", "bad", Encoding.UTF8.GetBytes(json));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ErrorCodes.ManifestInvalid, await RegistryCalls.ErrorCodeAsync(response));
        using var get = await Client.GetAsync("/v2/app/manifests/bad");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Manifest_with_unknown_blob_is_400_manifest_blob_unknown()
    {
        var manifest = RegistryCalls.ManifestJson(Digest.Compute("c"u8), 1, [(Digest.Compute("l"u8), 1)]);
        using var response = await Client.PutManifestAsync("app", "v1", manifest);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ErrorCodes.ManifestBlobUnknown, await RegistryCalls.ErrorCodeAsync(response));
    }

    [Fact]
    public async Task Oversized_manifest_is_413()
    {
        var big = new byte[OciJson.MaxManifestBytes + 1];
        Array.Fill(big, (byte)' ');
        using var response = await Client.PutManifestAsync("app", "big", big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(ErrorCodes.SizeInvalid, await RegistryCalls.ErrorCodeAsync(response));
    }

    [Fact]
    public async Task Manifest_of_exactly_4_MiB_is_accepted()
    {
        var (manifest, _) = await Client.PushImageAsync("app", "small");
        var text = Encoding.UTF8.GetString(manifest);
        var padding = OciJson.MaxManifestBytes - manifest.Length - "\"annotations\":{\"pad\":\"\"},".Length;
        var padded = Encoding.UTF8.GetBytes(text.Insert(1, "\"annotations\":{\"pad\":\"" + new string('x', padding) + "\"},"));
        Assert.Equal(OciJson.MaxManifestBytes, padded.Length);
        using var response = await Client.PutManifestAsync("app", "max", padded);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Content_type_that_contradicts_the_manifest_is_400_and_unknown_types_are_refused()
    {
        var (manifest, _) = await Client.PushImageAsync("app", "v1");
        using var mismatch = await Client.PutManifestAsync("app", "v2", manifest, MediaTypes.ImageIndex);
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        using var unknown = await Client.PutManifestAsync("app", "v3", "{\"schemaVersion\":2}"u8.ToArray(), "application/x-unknown");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(ErrorCodes.ManifestInvalid, await RegistryCalls.ErrorCodeAsync(unknown));
    }

    [Fact]
    public async Task Manifest_put_by_digest_that_does_not_match_is_400()
    {
        var (manifest, _) = await Client.PushImageAsync("app", "v1");
        using var response = await Client.PutManifestAsync("app", Digest.Compute("different"u8).ToString(), manifest);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ErrorCodes.DigestInvalid, await RegistryCalls.ErrorCodeAsync(response));
    }

    [Theory]
    [InlineData("-leading")]
    [InlineData(".dot")]
    public async Task Invalid_tags_are_refused(string tag)
    {
        var (manifest, digest) = await Client.PushImageAsync("app", "v1");
        using var put = await Client.PutManifestAsync("app", tag, manifest);
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        using var param = await Client.PutManifestAsync("app", $"{digest}?tag={tag}", manifest);
        Assert.Equal(HttpStatusCode.BadRequest, param.StatusCode);
        using var longTag = await Client.PutManifestAsync("app", new string('t', 129), manifest);
        Assert.Equal(HttpStatusCode.BadRequest, longTag.StatusCode);
    }

    [Fact]
    public async Task Unknown_paths_methods_and_parameters_are_4xx()
    {
        using var path = await Client.GetAsync("/v2/app/unknown/thing");
        Assert.Equal(HttpStatusCode.NotFound, path.StatusCode);
        using var method = await Client.PostAsync("/v2/app/manifests/latest", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, method.StatusCode);
        await Client.PushImageAsync("app", "v1");
        using var n = await Client.GetAsync("/v2/app/tags/list?n=-1");
        Assert.Equal(HttpStatusCode.BadRequest, n.StatusCode);
        using var notNumber = await Client.GetAsync("/v2/app/tags/list?n=ten");
        Assert.Equal(HttpStatusCode.BadRequest, notNumber.StatusCode);
        var headRequest = new HttpRequestMessage(HttpMethod.Head, "/v2/app/manifests/sha256:bad");
        using var head = await Client.SendAsync(headRequest);
        Assert.Equal(HttpStatusCode.BadRequest, head.StatusCode);
    }

    [Fact]
    public async Task Error_bodies_are_spec_json()
    {
        using var response = await Client.GetAsync("/v2/app/blobs/sha256:nope");
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"errors\":[{\"code\":\"DIGEST_INVALID\",\"message\":", body, StringComparison.Ordinal);
    }
}
