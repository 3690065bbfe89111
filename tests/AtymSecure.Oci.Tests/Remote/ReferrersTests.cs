using System.Net;
using System.Net.Http.Headers;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Remote;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Oci.Tests.Remote;

public sealed class ReferrersTests
{
    private static async Task<List<Descriptor>> ListAsync(Repository repo, Descriptor subject, string? type = null)
    {
        var list = new List<Descriptor>();
        await foreach (var d in repo.ListReferrersAsync(subject, type)) list.Add(d);
        return list;
    }

    [Fact]
    public async Task With_the_referrers_API_the_registry_answers_and_no_fallback_tag_is_written()
    {
        using var r = new FakeRemote();
        var repo = r.Repo();
        var subject = await TestData.PushArtifactAsync(repo, "subject");
        var sig = await TestData.PushArtifactAsync(repo, "sig", "application/vnd.test.signature", subject, new Dictionary<string, string> { ["k"] = "v" });
        await TestData.PushArtifactAsync(repo, "sbom", "application/vnd.test.sbom", subject);
        Assert.Equal(ReferrersSupport.Supported, repo.ReferrersSupport);
        Assert.Equal(2, (await ListAsync(repo, subject)).Count);
        var sigs = await ListAsync(repo, subject, "application/vnd.test.signature");
        Assert.Equal(sig.Digest, Assert.Single(sigs).Digest);
        Assert.Equal("v", sigs[0].Annotations!["k"]);
        Assert.DoesNotContain(r.Fake.Tags.Keys, k => k.Contains("sha256-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Filter_is_applied_client_side_when_the_registry_did_not()
    {
        using var r = new FakeRemote();
        r.Fake.AppliesArtifactTypeFilter = false;
        var repo = r.Repo();
        var subject = await TestData.PushArtifactAsync(repo, "subject");
        await TestData.PushArtifactAsync(repo, "sig", "application/vnd.test.signature", subject);
        await TestData.PushArtifactAsync(repo, "sbom", "application/vnd.test.sbom", subject);
        Assert.Single(await ListAsync(r.Repo(), subject, "application/vnd.test.sbom"));
    }

    [Fact]
    public async Task Without_the_API_referrers_go_to_the_sha256_tag_index_with_If_Match()
    {
        using var r = new FakeRemote();
        r.Fake.SupportsReferrers = false;
        var repo = r.Repo();
        var subject = await TestData.PushArtifactAsync(repo, "subject");
        var sig = await TestData.PushArtifactAsync(repo, "sig", "application/vnd.test.signature", subject);
        var sbom = await TestData.PushArtifactAsync(repo, "sbom", "application/vnd.test.sbom", subject);
        Assert.Equal(ReferrersSupport.Unsupported, repo.ReferrersSupport);

        var tag = ReferrersTag.For(subject.Digest);
        Assert.Equal("sha256-" + subject.Digest.Encoded, tag);
        var indexPuts = r.Fake.Log.Where(l => l.Method == HttpMethod.Put && l.Uri.AbsolutePath.EndsWith("/" + tag, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, indexPuts.Count);
        Assert.Empty(indexPuts[0].Headers.IfMatch);                       // first write: create-only
        Assert.Contains(EntityTagHeaderValue.Any, indexPuts[0].Headers.IfNoneMatch);
        Assert.Single(indexPuts[1].Headers.IfMatch);                      // second: guarded by the ETag read

        var (current, content) = await repo.FetchAsync(tag);
        var index = OciJson.Deserialize<ImageIndex>(((MemoryStream)content).ToArray());
        // the first index (only sig) was replaced and deleted; only the current one is stored
        Assert.Single(r.Fake.Manifests.Values, m => m.MediaType == MediaTypes.ImageIndex);
        Assert.True(r.Fake.Manifests.ContainsKey($"demo/app|{current.Digest}"));
        Assert.Equal([sig.Digest, sbom.Digest], index.Manifests.Select(m => m.Digest));
        Assert.Equal("application/vnd.test.signature", index.Manifests[0].ArtifactType);

        // A fresh client (state unknown) finds the API missing and reads the same index, filtering itself.
        var fresh = r.Repo();
        Assert.Equal(2, (await ListAsync(fresh, subject)).Count);
        Assert.Equal(sbom.Digest, Assert.Single(await ListAsync(fresh, subject, "application/vnd.test.sbom")).Digest);
        Assert.Equal(ReferrersSupport.Unsupported, fresh.ReferrersSupport);
    }

    [Fact]
    public async Task Pushing_the_same_referrer_twice_lists_it_once_and_deleting_it_removes_it()
    {
        using var r = new FakeRemote();
        r.Fake.SupportsReferrers = false;
        var repo = r.Repo();
        var subject = await TestData.PushArtifactAsync(repo, "subject");
        var sig = await TestData.PushArtifactAsync(repo, "sig", "application/vnd.test.signature", subject);
        var (d, bytes) = await repo.FetchAsync(sig.Digest.ToString());
        await repo.PushAsync(d, bytes);
        Assert.Single(await ListAsync(repo, subject));
        await repo.DeleteAsync(sig);
        Assert.Empty(await ListAsync(repo, subject));
    }

    [Fact]
    public async Task A_concurrent_index_update_412_is_retried_from_a_fresh_read()
    {
        using var r = new FakeRemote();
        r.Fake.SupportsReferrers = false;
        var repo = r.Repo();
        var subject = await TestData.PushArtifactAsync(repo, "subject");
        await TestData.PushArtifactAsync(repo, "one", "application/vnd.test.a", subject);
        var rejected = 0;
        r.Fake.Intercept = (req, _) => req.Method == HttpMethod.Put && req.Headers.IfMatch.Count > 0 && Interlocked.Increment(ref rejected) == 1
            ? new HttpResponseMessage(HttpStatusCode.PreconditionFailed) : null;
        await TestData.PushArtifactAsync(repo, "two", "application/vnd.test.b", subject);
        Assert.Equal(2, rejected);
        Assert.Equal(2, (await ListAsync(repo, subject)).Count);
    }

    [Fact]
    public async Task Eight_clients_adding_referrers_at_once_lose_none()
    {
        using var r = new FakeRemote();
        r.Fake.SupportsReferrers = false;
        var subject = await TestData.PushArtifactAsync(r.Repo(), "subject");
        var pushed = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => TestData.PushArtifactAsync(r.Repo(), $"referrer {i}", "application/vnd.test.sig", subject))));
        var listed = await ListAsync(r.Repo(), subject);
        Assert.Equal(pushed.Select(p => p.Digest.ToString()).Order(), listed.Select(d => d.Digest.ToString()).Order());
    }

    [Fact]
    public async Task Ping_detects_support_and_remembers_it()
    {
        using var r = new FakeRemote();
        var repo = r.Repo();
        Assert.True(await repo.PingReferrersAsync());
        r.Fake.SupportsReferrers = false;
        var other = r.Repo();
        Assert.False(await other.PingReferrersAsync());
        var calls = r.Fake.Log.Count;
        Assert.False(await other.PingReferrersAsync());
        Assert.Equal(calls, r.Fake.Log.Count);
    }

    [Theory]
    [InlineData("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "sha256-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("sha512:00000000000000000000000000000000000000000000000000000000000000001111111111111111111111111111111111111111111111111111111111111111",
        "sha512-0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8", "multihash-base58-QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8")]
    public void Fallback_tag_follows_the_tag_schema(string digest, string tag)
    {
        var t = ReferrersTag.For(Digest.Parse(digest));
        Assert.Equal(tag, t);
        Assert.True(Reference.IsValidTag(t));
    }
}
