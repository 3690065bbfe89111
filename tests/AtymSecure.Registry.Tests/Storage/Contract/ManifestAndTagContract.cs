using AtymSecure.Registry.Storage;
using CsCheck;
using static AtymSecure.Registry.Tests.Storage.Contract.MetadataSamples;

namespace AtymSecure.Registry.Tests.Storage.Contract;

/// <summary>What every <see cref="IMetadataStore"/> does with manifests, tags and referrers.</summary>
public abstract class ManifestAndTagContract(IMetadataStoreFixture fixture) : IDisposable
{
    private IMetadataStore _store = fixture.Open();

    public void Dispose()
    {
        fixture.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void An_empty_store_has_nothing_and_deletes_nothing()
    {
        var digest = DigestOf("absent");
        Assert.False(_store.RepositoryExists("app"));
        Assert.Null(_store.GetManifest("app", digest));
        Assert.Null(_store.ResolveTag("app", "latest"));
        Assert.Empty(_store.ListTags("app", null, 10));
        Assert.Empty(_store.ListReferrers("app", digest));
        Assert.Empty(_store.AllManifests());
        Assert.False(_store.DeleteManifest("app", digest));
        Assert.False(_store.DeleteTag("app", "latest"));
    }

    [Fact]
    public void A_manifest_reads_back_with_every_field_and_survives_a_restart()
    {
        var full = Manifest("app", "full", subject: DigestOf("subject"), artifactType: "application/vnd.dev.sbom");
        full.Children = [DigestOf("child-1"), DigestOf("child-2")];
        var bare = Manifest("app", "bare");
        bare.AnnotationsJson = null;
        bare.Blobs = [];
        _store.PutManifest(full, ["v1"]);
        _store.PutManifest(bare, []);
        Assert.Equal(ManifestRecord.Key("app", full.Digest), _store.GetManifest("app", full.Digest)!.Id);
        Assert.Equal(Facts(full), Facts(_store.GetManifest("app", full.Digest)));
        _store = fixture.Reopen();
        Assert.Equal(Facts(full), Facts(_store.GetManifest("app", full.Digest)));
        Assert.Equal(Facts(bare), Facts(_store.GetManifest("app", bare.Digest)));
        Assert.Equal(full.Digest, _store.ResolveTag("app", "v1"));
        Assert.True(_store.RepositoryExists("app"));
        Assert.False(_store.RepositoryExists("ap"));
    }

    [Fact]
    public void A_manifest_is_per_repository()
    {
        var manifest = Manifest("app", "shared");
        _store.PutManifest(manifest, ["v1"]);
        Assert.Null(_store.GetManifest("other", manifest.Digest));
        Assert.Null(_store.ResolveTag("other", "v1"));
        Assert.False(_store.RepositoryExists("other"));
    }

    [Fact]
    public void Putting_points_every_tag_and_moving_a_tag_leaves_the_old_manifest_and_its_other_tags()
    {
        var first = Manifest("app", "first");
        var second = Manifest("app", "second");
        _store.PutManifest(first, ["v1", "latest", "stable"]);
        _store.PutManifest(second, ["latest", "v2"]);
        Assert.Equal([first.Digest, second.Digest, first.Digest, second.Digest],
            new[] { "v1", "latest", "stable", "v2" }.Select(t => _store.ResolveTag("app", t)));
        Assert.NotNull(_store.GetManifest("app", first.Digest));
        _store.PutManifest(first, ["latest"]);
        Assert.Equal(first.Digest, fixture.Reopen().ResolveTag("app", "latest"));
    }

    [Fact]
    public void Putting_a_manifest_again_replaces_its_facts()
    {
        var manifest = Manifest("app", "again");
        _store.PutManifest(manifest, []);
        var changed = Manifest("app", "again", subject: DigestOf("s"), artifactType: "a/b");
        changed.PushedUnixMs += 5;
        _store.PutManifest(changed, ["v1"]);
        Assert.Equal(Facts(changed), Facts(_store.GetManifest("app", manifest.Digest)));
        Assert.Single(_store.AllManifests());
    }

    [Fact]
    public void Tags_list_in_ordinal_order_of_their_repository_only_and_page_after_last()
    {
        string[] tags = ["b", "A", "a", "a.1", "a-1", "_x", "10", "9", "Z", "a_1"];
        _store.PutManifest(Manifest("app", "m"), tags);
        _store.PutManifest(Manifest("app/sub", "m"), ["aa", "0"]);
        _store.PutManifest(Manifest("app2", "m"), ["ab"]);
        _store.PutManifest(Manifest("ap", "m"), ["ac"]);
        var ordinal = tags.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(ordinal, _store.ListTags("app", null, 100));
        Assert.Equal(ordinal[..4], _store.ListTags("app", null, 3));
        Assert.Equal(ordinal[4..8], _store.ListTags("app", ordinal[3], 3));
        Assert.Equal(ordinal[8..], _store.ListTags("app", ordinal[7], 3));
        Assert.Empty(_store.ListTags("app", ordinal[^1], 3));
        // A last that is no tag continues after where it would sort; limit 0 still says whether any exist.
        Assert.Equal(ordinal.Where(t => string.CompareOrdinal(t, "a0") > 0), _store.ListTags("app", "a0", 100));
        Assert.Equal(ordinal[..1], _store.ListTags("app", null, 0));
        Assert.Equal(ordinal, _store.ListTags("app", null, int.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.ListTags("app", null, -1));
    }

    [Fact]
    public void Paging_through_any_tag_set_in_any_page_size_gives_every_tag_once_in_ordinal_order()
    {
        var repository = 0;
        Gen.Select(Gen.String[Gen.Char["abcxyzABCXYZ0189._-"], 1, 12].HashSet[0, 25], Gen.Int[1, 7]).Sample((set, page) =>
        {
            var name = $"paging{repository++}";
            var tags = set.ToList();
            if (tags.Count > 0) _store.PutManifest(Manifest(name, "m"), tags);
            var seen = new List<string>();
            string? last = null;
            while (true)
            {
                var batch = _store.ListTags(name, last, page);
                Assert.True(batch.Count <= page + 1);
                seen.AddRange(batch.Take(page));
                if (batch.Count <= page) break;
                last = batch[page - 1];
            }
            Assert.Equal(tags.Order(StringComparer.Ordinal), seen);
        }, iter: 25, threads: 1);
    }

    [Fact]
    public void Referrers_are_the_manifests_of_the_repository_with_that_subject_ordered_by_digest()
    {
        var subject = Manifest("app", "subject");
        _store.PutManifest(subject, ["v1"]);
        var referrers = Enumerable.Range(0, 6).Select(i => Manifest("app", $"signature-{i}", subject.Digest, i % 2 == 0 ? "application/vnd.dev.sig" : null)).ToList();
        foreach (var referrer in referrers) _store.PutManifest(referrer, []);
        _store.PutManifest(Manifest("other", "signature-x", subject.Digest), []);
        _store.PutManifest(Manifest("app", "unrelated", DigestOf("another subject")), []);
        Assert.Equal(referrers.Select(r => r.Digest).Order(StringComparer.Ordinal), _store.ListReferrers("app", subject.Digest).Select(r => r.Digest));
        Assert.Equal(referrers.OrderBy(r => r.Digest, StringComparer.Ordinal).Select(Facts), _store.ListReferrers("app", subject.Digest).Select(Facts));
        // A referrer whose subject was never pushed is listed all the same.
        Assert.Single(_store.ListReferrers("app", DigestOf("another subject")));
        Assert.Empty(_store.ListReferrers("app", referrers[0].Digest));
    }

    [Fact]
    public void Deleting_a_manifest_takes_the_tags_pointing_at_it_and_nothing_else()
    {
        var doomed = Manifest("app", "doomed");
        var kept = Manifest("app", "kept");
        _store.PutManifest(doomed, ["v1", "old"]);
        _store.PutManifest(kept, ["v2"]);
        _store.PutManifest(Manifest("other", "doomed"), ["v1"]);
        Assert.True(_store.DeleteManifest("app", doomed.Digest));
        Assert.False(_store.DeleteManifest("app", doomed.Digest));
        _store = fixture.Reopen();
        Assert.Null(_store.GetManifest("app", doomed.Digest));
        Assert.Equal(["v2"], _store.ListTags("app", null, 10));
        Assert.Equal(doomed.Digest, _store.ResolveTag("other", "v1"));
        Assert.NotNull(_store.GetManifest("app", kept.Digest));
    }

    [Fact]
    public void Deleting_a_tag_keeps_its_manifest_and_a_repository_with_nothing_left_is_gone()
    {
        var manifest = Manifest("app", "m");
        _store.PutManifest(manifest, ["v1"]);
        Assert.True(_store.DeleteTag("app", "v1"));
        Assert.False(_store.DeleteTag("app", "v1"));
        Assert.Null(_store.ResolveTag("app", "v1"));
        Assert.NotNull(_store.GetManifest("app", manifest.Digest));
        Assert.True(_store.RepositoryExists("app"));
        Assert.True(_store.DeleteManifest("app", manifest.Digest));
        Assert.False(_store.RepositoryExists("app"));
    }

    [Fact]
    public void All_manifests_lists_every_repository_in_key_order()
    {
        var manifests = new[] { Manifest("app", "1"), Manifest("app/sub", "2"), Manifest("app", "3"), Manifest("b", "4"), Manifest("app-x", "5") };
        foreach (var manifest in manifests) _store.PutManifest(manifest, []);
        Assert.Equal(manifests.Select(m => ManifestRecord.Key(m.Repository, m.Digest)).Order(StringComparer.Ordinal),
            fixture.Reopen().AllManifests().Select(m => m.Id));
    }
}
