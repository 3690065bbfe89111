using AtymSecure.Registry.Storage;
using static AtymSecure.Registry.Tests.Storage.Contract.MetadataSamples;

namespace AtymSecure.Registry.Tests.Storage.Contract;

/// <summary>
/// Two writers at once (<see cref="IMetadataStoreFixture.Peer"/>: a second registry process on PostgreSQL, a second thread
/// on LiteDB): every change is whole, the last one wins, and both writers then read the same state.
/// </summary>
public abstract class ConcurrentWriterContract(IMetadataStoreFixture fixture) : IDisposable
{
    private const int Rounds = 25;
    private readonly IMetadataStore _store = fixture.Open();
    private readonly IMetadataStore _peer = fixture.Peer();

    public void Dispose()
    {
        fixture.Dispose();
        GC.SuppressFinalize(this);
    }

    private IMetadataStore Writer(int i) => i == 0 ? _store : _peer;

    [Fact]
    public void Two_writers_moving_one_tag_leave_it_on_one_of_their_manifests_and_both_read_the_same()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var candidates = Enumerable.Range(0, 2).Select(i => Manifest("app", $"round-{round}-writer-{i}")).ToArray();
            Race(i => Writer(i).PutManifest(candidates[i], ["latest"]));
            var resolved = _store.ResolveTag("app", "latest");
            Assert.Contains(resolved, candidates.Select(c => c.Digest));
            Assert.Equal(resolved, _peer.ResolveTag("app", "latest"));
            Assert.All(candidates, c => Assert.NotNull(_peer.GetManifest("app", c.Digest)));
        }
        Assert.Equal(["latest"], _peer.ListTags("app", null, 10));
    }

    [Fact]
    public void Tags_moved_together_in_one_push_never_end_up_split_between_two_pushes()
    {
        string[] tags = ["a", "b", "c", "d"];
        for (var round = 0; round < Rounds; round++)
        {
            var candidates = Enumerable.Range(0, 2).Select(i => Manifest("app", $"together-{round}-{i}")).ToArray();
            // Opposite orders: a store that locked tags in the order given would deadlock here.
            Race(i => Writer(i).PutManifest(candidates[i], i == 0 ? tags : [.. tags.Reverse()]));
            var resolved = tags.Select(t => _peer.ResolveTag("app", t)).Distinct().ToList();
            Assert.Single(resolved);
            Assert.Contains(resolved[0], candidates.Select(c => c.Digest));
        }
    }

    [Fact]
    public void A_delete_racing_a_tag_move_away_keeps_the_moved_tag()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var old = Manifest("app", $"old-{round}");
            var next = Manifest("app", $"next-{round}");
            _store.PutManifest(old, ["latest", $"old-{round}"]);
            Race(i =>
            {
                if (i == 0) Writer(i).DeleteManifest("app", old.Digest);
                else Writer(i).PutManifest(next, ["latest"]);
            });
            Assert.Equal(next.Digest, _store.ResolveTag("app", "latest"));
            Assert.Null(_peer.ResolveTag("app", $"old-{round}"));
            Assert.Null(_peer.GetManifest("app", old.Digest));
        }
    }

    [Fact]
    public void Blob_links_and_upload_sessions_from_two_writers_are_all_kept()
    {
        var blob = DigestOf("shared layer");
        Race(i =>
        {
            for (var n = 0; n < Rounds; n++)
            {
                Writer(i).AddBlobLink($"repo-{n}", blob);
                Writer(i).AddBlobLink($"writer-{i}", DigestOf($"{i}-{n}"));
                Writer(i).AddUpload(Upload($"w{i}-{n:D2}"));
            }
        });
        Assert.Equal(Enumerable.Range(0, Rounds).Select(n => $"repo-{n}").Order(StringComparer.Ordinal), _peer.RepositoriesWithBlob(blob));
        Assert.All(Enumerable.Range(0, Rounds), n => Assert.True(_store.HasBlobLink("writer-1", DigestOf($"1-{n}"))));
        Assert.Equal(2 * Rounds, _store.ListUploads().Count);
    }
}
