using System.Collections.Concurrent;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Copying;
using AtymSecure.Oci.Layout;
using AtymSecure.Oci.Packing;
using AtymSecure.Oci.Remote;
using AtymSecure.Oci.Tests.Remote;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;

namespace AtymSecure.Oci.Tests.Copying;

public sealed class CopierTests
{
    /// <summary>An index of two platform manifests sharing one layer, tagged v1, with a signature and a signature-of-signature.</summary>
    private static async Task<(Descriptor Index, Descriptor Sig, Descriptor SigSig)> BuildGraphAsync(ITarget store)
    {
        var shared = await store.PushBytesAsync("application/vnd.test.layer", TestData.RandomBytes(4000, 3));
        var a = await Packer.PackManifestAsync(store, "application/vnd.test.a", new PackOptions { Layers = [shared], UseSourceDateEpoch = false });
        var b = await Packer.PackManifestAsync(store, "application/vnd.test.b", new PackOptions { Layers = [shared], UseSourceDateEpoch = false });
        var indexBytes = OciJson.Serialize(new ImageIndex { Manifests = [a, b] });
        var index = Descriptor.FromBytes(MediaTypes.ImageIndex, indexBytes);
        await store.PushAsync(index, new MemoryStream(indexBytes));
        await store.TagAsync(index, "v1");
        var sig = await TestData.PushArtifactAsync(store, "sig", "application/vnd.test.sig", index);
        var sigsig = await TestData.PushArtifactAsync(store, "countersig", "application/vnd.test.countersig", sig);
        return (index, sig, sigsig);
    }

    private static async Task<List<Descriptor>> Referrers(IReferrerLister l, Descriptor s)
    {
        var list = new List<Descriptor>();
        await foreach (var d in l.ListReferrersAsync(s)) list.Add(d);
        return list;
    }

    [Fact]
    public async Task Memory_to_layout_and_back_keeps_digests_and_copies_referrers_recursively()
    {
        var src = new MemoryStore();
        var (index, sig, sigsig) = await BuildGraphAsync(src);
        using var folder = TempFolder.Create("oci-test");
        var layout = await OciLayoutStore.OpenAsync(folder.Path);
        var root = await src.CopyAsync("v1", layout, null, new CopyOptions { IncludeReferrers = true });
        Assert.Equal(index.Digest, root.Digest);
        Assert.Equal(index.Digest, (await layout.ResolveAsync("v1")).Digest);
        Assert.Equal(sig.Digest, Assert.Single(await Referrers(layout, index)).Digest);
        Assert.Equal(sigsig.Digest, Assert.Single(await Referrers(layout, sig)).Digest);

        var back = new MemoryStore();
        await layout.CopyAsync("v1", back, "copy", new CopyOptions { IncludeReferrers = true });
        Assert.Equal(index.Digest, (await back.ResolveAsync("copy")).Digest);
        Assert.Single(await Referrers(back, sig));
    }

    [Fact]
    public async Task Without_IncludeReferrers_only_the_graph_is_copied_and_the_subject_is_never_followed_upwards()
    {
        var src = new MemoryStore();
        var (index, sig, _) = await BuildGraphAsync(src);
        var dst = new MemoryStore();
        await src.CopyAsync("v1", dst);
        Assert.Empty(await Referrers(dst, index));
        var onlySig = new MemoryStore();
        await Copier.CopyGraphAsync(src, onlySig, sig);
        Assert.False(await onlySig.ExistsAsync(index));
    }

    [Fact]
    public async Task Shared_and_existing_content_is_skipped_and_progress_adds_up()
    {
        var src = new MemoryStore();
        var (index, _, _) = await BuildGraphAsync(src);
        var dst = new MemoryStore();
        var copied = new ConcurrentBag<Digest>();
        var bytes = new ConcurrentDictionary<Digest, long>();
        var options = new CopyOptions { OnCopied = d => copied.Add(d.Digest), OnProgress = (d, n) => bytes[d.Digest] = n };
        await Copier.CopyGraphAsync(src, dst, index, options);
        Assert.Equal(copied.Count, copied.Distinct().Count());
        Assert.Equal(5, copied.Count); // index, 2 manifests, shared layer, empty config
        Assert.Equal(4000, bytes.Values.Max());
        var skipped = new ConcurrentBag<Digest>();
        await Copier.CopyGraphAsync(src, dst, index, new CopyOptions { OnSkipped = d => skipped.Add(d.Digest) });
        Assert.Equal([index.Digest], skipped);
    }

    [Fact]
    public async Task Concurrency_bound_is_respected()
    {
        var src = new MemoryStore();
        var layers = new List<Descriptor>();
        for (var i = 0; i < 12; i++) layers.Add(await src.PushBytesAsync("application/vnd.test.layer", TestData.RandomBytes(100, i)));
        var m = await Packer.PackManifestAsync(src, "application/vnd.test", new PackOptions { Layers = layers, UseSourceDateEpoch = false });
        var dst = new CountingStore();
        await Copier.CopyGraphAsync(src, dst, m, new CopyOptions { Concurrency = 2 });
        Assert.InRange(dst.MaxInFlight, 1, 2);
        Assert.Equal(14, dst.Pushed);
    }

    [Fact]
    public async Task Copy_to_a_registry_without_referrers_API_maintains_the_fallback_tag()
    {
        var src = new MemoryStore();
        var (index, sig, sigsig) = await BuildGraphAsync(src);
        using var remote = new FakeRemote();
        remote.Fake.SupportsReferrers = false;
        var repo = remote.Repo();
        await src.CopyAsync("v1", repo, "v1", new CopyOptions { IncludeReferrers = true });
        Assert.True(remote.Fake.Tags.ContainsKey($"demo/app|{ReferrersTag.For(index.Digest)}"));
        Assert.True(remote.Fake.Tags.ContainsKey($"demo/app|{ReferrersTag.For(sig.Digest)}"));
        // and back: the fallback index is read on the source side
        var back = new MemoryStore();
        await remote.Repo().CopyAsync("v1", back, null, new CopyOptions { IncludeReferrers = true });
        Assert.Equal(sigsig.Digest, Assert.Single(await Referrers(back, sig)).Digest);
    }

    [Fact]
    public async Task Copy_between_repositories_of_one_registry_mounts_blobs()
    {
        using var remote = new FakeRemote();
        var a = remote.Repo("team/a");
        var m = await TestData.PushArtifactAsync(a, "payload");
        await a.TagAsync(m, "v1");
        remote.Fake.Log.Clear();
        var mounted = new ConcurrentBag<Digest>();
        await a.CopyAsync("v1", remote.Repo("team/b"), null, new CopyOptions { OnMounted = d => mounted.Add(d.Digest) });
        Assert.Equal(2, mounted.Count); // layer + empty config
        Assert.DoesNotContain(remote.Fake.Log, l => l.Method == HttpMethod.Patch || (l.Method == HttpMethod.Put && l.Uri.AbsolutePath.Contains("/blobs/", StringComparison.Ordinal)));
        Assert.Equal(m.Digest, (await remote.Repo("team/b").ResolveAsync("v1")).Digest);
    }

    private sealed class CountingStore : IStorage
    {
        private readonly MemoryStore _inner = new();
        private int _inFlight;
        public int MaxInFlight;
        public int Pushed;

        public Task<bool> ExistsAsync(Descriptor target, CancellationToken cancellationToken = default) => _inner.ExistsAsync(target, cancellationToken);
        public Task<Stream> FetchAsync(Descriptor target, CancellationToken cancellationToken = default) => _inner.FetchAsync(target, cancellationToken);

        public async Task PushAsync(Descriptor expected, Stream content, CancellationToken cancellationToken = default)
        {
            var now = Interlocked.Increment(ref _inFlight);
            int seen;
            while ((seen = MaxInFlight) < now && Interlocked.CompareExchange(ref MaxInFlight, now, seen) != seen) { }
            await Task.Yield();
            await _inner.PushAsync(expected, content, cancellationToken);
            Interlocked.Decrement(ref _inFlight);
            Interlocked.Increment(ref Pushed);
        }
    }
}
