using AtymSecure.TestSupport;
using AtymSecure.Interop.Tests.Infrastructure;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Copying;
using AtymSecure.Oci.Packing;
using AtymSecure.Oci.Remote;
using AtymSecure.Oci.Wire;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Interop.Tests;

/// <summary>
/// Our client against the CNCF distribution registry (no referrers API): push, pull, copy both
/// ways between it and our registry, and referrers through the sha256-&lt;hex&gt; fallback tag.
/// </summary>
[Trait("Requires", "distribution")]
[Trait("Requires", "process")]
public sealed class DistributionPeerTests : IClassFixture<DistributionRegistryFixture>, IClassFixture<AtymRegistryFixture>, IDisposable
{
    private readonly DistributionRegistryFixture _peer;
    private readonly AtymRegistryProcess _ours;
    private readonly TempFolder _temp = TempFolder.Create("peer");

    public DistributionPeerTests(DistributionRegistryFixture peer, AtymRegistryFixture ours)
    {
        _peer = peer;
        _ours = ours.Registry;
    }

    public void Dispose() => _temp.Dispose();

    private Repository Peer(string name) => new($"{_peer.HostPort}/{name}");

    [Fact]
    public async Task Files_push_and_pull_through_the_peer()
    {
        var input = Path.Combine(_temp.Path, "model.bin");
        var bytes = new byte[20 * 1024 * 1024 + 3]; // above the chunked-upload threshold
        new Random(3).NextBytes(bytes);
        await File.WriteAllBytesAsync(input, bytes);
        var repo = Peer("files/model");
        var manifest = await FileArtifacts.PackFilesAsync(repo, [new FileEntry(input, "application/octet-stream")], "application/vnd.example.model");
        await repo.TagAsync(manifest, "v1");

        var pulled = await FileArtifacts.PullFilesAsync(Peer("files/model"), "v1", Path.Combine(_temp.Path, "out"));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Assert.Single(pulled).Path));
        Assert.Equal(manifest.Digest, (await Peer("files/model").ResolveAsync("v1")).Digest);
    }

    [Fact]
    public async Task Referrers_use_the_fallback_tag_on_the_peer()
    {
        var repo = Peer("fallback/app");
        var subject = await SampleContent.WriteWasmAsync(repo, "v1");
        var sbom = await SampleContent.WriteReferrerAsync(repo, subject, tag: null, "application/vnd.example.sbom.v1+json");
        var sig = await SampleContent.WriteReferrerAsync(repo, subject, tag: null, "application/vnd.example.sig.v1+json");

        // The peer has no referrers API, so the client kept the index in the fallback tag.
        var index = await Peer("fallback/app").ResolveAsync($"{subject.Digest.Algorithm}-{subject.Digest.Encoded}");
        Assert.Equal(MediaTypes.ImageIndex, index.MediaType);

        var all = new List<Descriptor>();
        await foreach (var d in Peer("fallback/app").ListReferrersAsync(subject)) all.Add(d);
        Assert.Equal(new[] { sbom.Digest.ToString(), sig.Digest.ToString() }.Order(), all.Select(d => d.Digest.ToString()).Order());
        var filtered = new List<Descriptor>();
        await foreach (var d in Peer("fallback/app").ListReferrersAsync(subject, "application/vnd.example.sig.v1+json")) filtered.Add(d);
        Assert.Equal(sig.Digest, Assert.Single(filtered).Digest);
        Assert.Equal(ReferrersSupport.Unsupported, repo.ReferrersSupport);
    }

    [Fact]
    public async Task Copy_with_referrers_from_ours_to_the_peer_and_back()
    {
        var ours = new Repository($"{_ours.HostPort}/copy/app");
        var image = await SampleContent.WriteImageAsync(ours, "v1");
        var sbom = await SampleContent.WriteReferrerAsync(ours, image, tag: null);
        Assert.Equal(ReferrersSupport.Supported, ours.ReferrersSupport);

        var peer = Peer("copy/app");
        var copied = await ours.CopyAsync("v1", peer, "v1", new CopyOptions { IncludeReferrers = true });
        Assert.Equal(image.Digest, copied.Digest);
        var onPeer = new List<Descriptor>();
        await foreach (var d in Peer("copy/app").ListReferrersAsync(image)) onPeer.Add(d);
        Assert.Equal(sbom.Digest, Assert.Single(onPeer).Digest);

        var back = new Repository($"{_ours.HostPort}/copy/back");
        await Peer("copy/app").CopyAsync("v1", back, "v1", new CopyOptions { IncludeReferrers = true });
        Assert.Equal(image.Digest, (await back.ResolveAsync("v1")).Digest);
        var onOurs = new List<Descriptor>();
        await foreach (var d in back.ListReferrersAsync(image)) onOurs.Add(d);
        Assert.Equal(sbom.Digest, Assert.Single(onOurs).Digest);
    }
}
