using System.Net;
using System.Text;
using System.Text.Json;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Registry.Tests.Support;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Registry.Tests.Conformance;

/// <summary>
/// The "Content discovery" category, with the conformance suite's referrers setup: referrers (image manifests
/// with the artifact type in config or artifactType, and an index) pushed before their subject, more after it,
/// and one whose subject never exists.
/// </summary>
public sealed class ContentDiscoveryTests : IAsyncLifetime
{
    private const string Name = "conformance/discovery";
    private const string TestAnnotation = "org.opencontainers.conformance.test";
    private const string Bagel = "application/vnd.nhl.peanut.butter.bagel";
    private const string Waffle = "application/vnd.food.stand.waffle";
    private readonly LoopbackRegistry _registry = LoopbackRegistry.Create(o => o with { ReferrersPageSize = 3, TagsPageLimit = 50 });
    private HttpClient Client => _registry.Client;
    private string _subjectDescriptor = "";
    private Digest _subject;
    private Digest _missingSubject;
    private readonly List<Digest> _referrers = [];
    private Digest _orphanReferrer;

    public async Task InitializeAsync()
    {
        await _registry.InitializeAsync();
        for (var i = 0; i < 4; i++) await Client.PushImageAsync(Name, $"tag{i}", layerText: "layer");
        var empty = await Client.PushBlobAsync(Name, "{}"u8.ToArray());
        Assert.Equal("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", empty.ToString());
        var layer = await Client.PushBlobAsync(Name, "referrer layer"u8.ToArray());

        // The subject manifest is computed now but pushed only after its first referrers.
        var subjectConfig = await Client.PushBlobAsync(Name, "{\"subject\":true}"u8.ToArray());
        var subjectManifest = RegistryCalls.ManifestJson(subjectConfig, 15, [(layer, 14)]);
        _subject = Digest.Compute(subjectManifest);
        _subjectDescriptor = RegistryCalls.DescriptorJson(MediaTypes.ImageManifest, _subject, subjectManifest.Length);
        _missingSubject = Digest.Compute("never pushed subject"u8);

        await PushReferrerAsync("a-config", configMediaType: Bagel, artifactType: null, empty, layer);
        await PushReferrerAsync("a-layer", configMediaType: MediaTypes.EmptyJson, artifactType: Bagel, empty, layer);
        await PushIndexReferrerAsync("a-index", Waffle);
        using (var put = await Client.PutManifestAsync(Name, "subject", subjectManifest)) Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        await PushReferrerAsync("b-config", configMediaType: Waffle, artifactType: null, empty, layer);
        await PushReferrerAsync("b-layer", configMediaType: MediaTypes.EmptyJson, artifactType: Waffle, empty, layer);
        _orphanReferrer = await PushReferrerAsync("c-layer", MediaTypes.EmptyJson, Waffle, empty, layer,
            RegistryCalls.DescriptorJson(MediaTypes.ImageManifest, _missingSubject, 20), expectedSubject: _missingSubject);
    }

    public Task DisposeAsync() => _registry.DisposeAsync().AsTask();

    private async Task<Digest> PushReferrerAsync(string label, string configMediaType, string? artifactType, Digest empty, Digest layer,
        string? subject = null, Digest? expectedSubject = null)
    {
        var config = configMediaType == MediaTypes.EmptyJson ? empty : await Client.PushBlobAsync(Name, Encoding.UTF8.GetBytes($"{{\"l\":\"{label}\"}}"));
        var configSize = configMediaType == MediaTypes.EmptyJson ? 2 : Encoding.UTF8.GetByteCount($"{{\"l\":\"{label}\"}}");
        var manifest = RegistryCalls.ManifestJson(config, configSize, [(layer, 14)], subject ?? _subjectDescriptor, artifactType,
            new Dictionary<string, string> { [TestAnnotation] = label }, configMediaType);
        var digest = Digest.Compute(manifest);
        using var put = await Client.PutManifestAsync(Name, digest.ToString(), manifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal((expectedSubject ?? _subject).ToString(), RegistryCalls.Header(put, OciHeaders.Subject));
        if (subject is null) _referrers.Add(digest);
        return digest;
    }

    private async Task PushIndexReferrerAsync(string label, string artifactType)
    {
        var (child, childDigest) = await Client.PushImageAsync(Name, "index-child", layerText: "child");
        var index = Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.ImageIndex}\",\"artifactType\":\"{artifactType}\"," +
            $"\"manifests\":[{RegistryCalls.DescriptorJson(MediaTypes.ImageManifest, childDigest, child.Length)}]," +
            $"\"subject\":{_subjectDescriptor},\"annotations\":{{\"{TestAnnotation}\":\"{label}\"}}}}");
        var digest = Digest.Compute(index);
        using var put = await Client.PutManifestAsync(Name, digest.ToString(), index, MediaTypes.ImageIndex);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(_subject.ToString(), RegistryCalls.Header(put, OciHeaders.Subject));
        _referrers.Add(digest);
    }

    /// <summary>Follows Link headers and gathers every referrer descriptor.</summary>
    private async Task<(List<JsonElement> Descriptors, HttpResponseMessage First)> ListAllAsync(string url)
    {
        var all = new List<JsonElement>();
        HttpResponseMessage? first = null;
        string? next = url;
        while (next is not null)
        {
            var response = await Client.GetAsync(next);
            first ??= response;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(MediaTypes.ImageIndex, response.Content.Headers.ContentType!.MediaType);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            all.AddRange(json.RootElement.GetProperty("manifests").EnumerateArray().Select(e => e.Clone()));
            var link = RegistryCalls.Header(response, "Link");
            next = link.Length == 0 ? null : link[(link.IndexOf('<', StringComparison.Ordinal) + 1)..link.IndexOf('>', StringComparison.Ordinal)];
        }
        return (all, first!);
    }

    [Fact]
    public async Task Tag_list_is_sorted_and_paginates_with_n_last_and_link()
    {
        using var all = await Client.GetAsync($"/v2/{Name}/tags/list");
        using var json = JsonDocument.Parse(await all.Content.ReadAsStringAsync());
        Assert.Equal(Name, json.RootElement.GetProperty("name").GetString());
        var tags = json.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToList();
        Assert.Equal(["index-child", "subject", "tag0", "tag1", "tag2", "tag3"], tags);
        using var half = await Client.GetAsync($"/v2/{Name}/tags/list?n=3");
        using var halfJson = JsonDocument.Parse(await half.Content.ReadAsStringAsync());
        Assert.Equal(3, halfJson.RootElement.GetProperty("tags").GetArrayLength());
        Assert.Equal($"</v2/{Name}/tags/list?n=3&last=tag0>; rel=\"next\"", RegistryCalls.Header(half, "Link"));
        using var rest = await Client.GetAsync($"/v2/{Name}/tags/list?n=10&last=tag0");
        using var restJson = JsonDocument.Parse(await rest.Content.ReadAsStringAsync());
        Assert.Equal(new[] { "tag1", "tag2", "tag3" }, restJson.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToArray());
        Assert.Equal("", RegistryCalls.Header(rest, "Link"));
        using var zero = await Client.GetAsync($"/v2/{Name}/tags/list?n=0");
        Assert.Contains("\"tags\":[]", await zero.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("", RegistryCalls.Header(zero, "Link"));
    }

    [Fact]
    public async Task Tag_list_of_unknown_repository_is_404_name_unknown()
    {
        using var response = await Client.GetAsync("/v2/nobody/tags/list");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(ErrorCodes.NameUnknown, await RegistryCalls.ErrorCodeAsync(response));
    }

    [Fact]
    public async Task Referrers_of_unknown_digest_is_an_empty_index()
    {
        var (descriptors, first) = await ListAllAsync($"/v2/{Name}/referrers/{Digest.Compute("unknown"u8)}");
        Assert.Empty(descriptors);
        using var other = await Client.GetAsync($"/v2/never/created/referrers/{Digest.Compute("x"u8)}");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        first.Dispose();
    }

    [Fact]
    public async Task Referrers_list_all_five_with_annotations_and_artifact_types_across_pages()
    {
        var (descriptors, first) = await ListAllAsync($"/v2/{Name}/referrers/{_subject}");
        Assert.NotEqual("", RegistryCalls.Header(first, "Link")); // page size 3 < 5
        Assert.Equal(5, descriptors.Count);
        Assert.Equal(_referrers.Select(d => d.ToString()).Order(StringComparer.Ordinal),
            descriptors.Select(d => d.GetProperty("digest").GetString()!).Order(StringComparer.Ordinal));
        foreach (var descriptor in descriptors)
        {
            var annotations = descriptor.GetProperty("annotations").EnumerateObject().ToList();
            Assert.Single(annotations);
            Assert.Equal(TestAnnotation, annotations[0].Name);
            Assert.True(descriptor.GetProperty("size").GetInt64() > 0);
        }
        var types = descriptors.Select(d => d.GetProperty("artifactType").GetString()).ToList();
        Assert.Equal(2, types.Count(t => t == Bagel));
        Assert.Equal(3, types.Count(t => t == Waffle));
        Assert.Single(descriptors, d => d.GetProperty("mediaType").GetString() == MediaTypes.ImageIndex);
    }

    [Fact]
    public async Task Referrers_filter_by_artifact_type_reports_the_filter()
    {
        var (descriptors, first) = await ListAllAsync($"/v2/{Name}/referrers/{_subject}?artifactType={Uri.EscapeDataString(Bagel)}");
        Assert.Equal("artifactType", RegistryCalls.Header(first, OciHeaders.FiltersApplied));
        Assert.Equal(2, descriptors.Count);
        Assert.All(descriptors, d => Assert.Equal(Bagel, d.GetProperty("artifactType").GetString()));
    }

    [Fact]
    public async Task Referrers_of_a_subject_that_never_existed_list_its_referrer()
    {
        var (descriptors, _) = await ListAllAsync($"/v2/{Name}/referrers/{_missingSubject}");
        Assert.Equal(_orphanReferrer.ToString(), Assert.Single(descriptors).GetProperty("digest").GetString());
    }

    [Fact]
    public async Task Referrers_with_malformed_digest_is_400()
    {
        using var response = await Client.GetAsync($"/v2/{Name}/referrers/sha256:nothex");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ErrorCodes.DigestInvalid, await RegistryCalls.ErrorCodeAsync(response));
    }

    [Fact]
    public async Task Deleting_a_referrer_removes_it_from_the_listing()
    {
        using var delete = await Client.DeleteAsync($"/v2/{Name}/manifests/{_referrers[0]}");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        var (descriptors, _) = await ListAllAsync($"/v2/{Name}/referrers/{_subject}");
        Assert.Equal(4, descriptors.Count);
    }
}
