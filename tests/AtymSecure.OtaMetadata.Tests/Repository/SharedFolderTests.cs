using AtymSecure.OtaMetadata.Repository;
using AtymSecure.OtaMetadata.Resigning;

namespace AtymSecure.OtaMetadata.Tests.Repository;

/// <summary>
/// Two <see cref="ImageRepository"/> instances on one metadata folder, what two replicas on a shared data folder are:
/// a mutation reads what the peer published first, versions only go up, a writer that lost the race to a version is
/// refused with <see cref="MetadataVersionConflictException"/> and publishes nothing, and a set a killed writer left
/// incomplete is finished by the next re-signing round without re-signing anything twice.
/// </summary>
public sealed class SharedFolderTests : IDisposable
{
    private const string Compiler = "compiler-linux-x86_64";
    private readonly RepositoryFixture _fixture = new();
    private readonly ImageRepository _peer;

    public SharedFolderTests() => _peer = new ImageRepository(_fixture.Server.Data.File("image"), _fixture.Keys, _fixture.Clock);

    public void Dispose() => _fixture.Dispose();

    private MetadataFolder Folder => _fixture.Image.Metadata;

    private long OnDiskTimestamp => PublishedImageRepository.ReadTimestamp(Folder)!.Signed.Version;

    [Fact]
    public void A_mutation_reads_what_the_peer_published_first()
    {
        var timestamp = OnDiskTimestamp;
        _fixture.Image.ResignCompiler(Compiler);
        _fixture.Image.PublishSnapshot();
        Assert.Equal(timestamp + 1, OnDiskTimestamp);

        // The peer still holds the old set in memory; a public mutation reads the folder before it writes.
        var vendorBefore = _fixture.VendorVersion;
        _peer.AcceptDelegated("vendor-acme", _fixture.VendorListing("sensor-filter", "1.0.0", "wasm"u8.ToArray()));

        Assert.Equal(timestamp + 2, OnDiskTimestamp);
        var published = PublishedImageRepository.Load(Folder);
        Assert.Equal(2, published.Delegated[Compiler].Signed.Version); // the peer's snapshot lists the re-signed compiler file
        Assert.Equal(published.Delegated[Compiler].Signed.Version, published.Snapshot!.Signed.Meta[Compiler + ".json"].Version);
        Assert.Equal(vendorBefore + 1, published.Delegated["vendor-acme"].Signed.Version);
    }

    [Fact]
    public void A_stale_writer_of_a_taken_version_is_refused_and_the_newer_file_stays()
    {
        _fixture.Image.ResignCompiler(Compiler); // writes 2.compiler-linux-x86_64.json
        var written = Folder.Read($"2.{Compiler}.json");

        var refused = Assert.Throws<MetadataVersionConflictException>(() => _peer.ResignCompiler(Compiler)); // the peer has not read the folder
        Assert.Equal($"2.{Compiler}.json", refused.File);
        Assert.Equal(MetadataVersionConflictException.Code, refused.Problems[0].Code);
        Assert.Equal(written, Folder.Read($"2.{Compiler}.json"));
    }

    [Fact]
    public void The_timestamp_is_never_replaced_by_an_equal_or_older_version()
    {
        var before = OnDiskTimestamp;
        _fixture.Image.PublishTimestamp();
        Assert.Equal(before + 1, OnDiskTimestamp);
        // A writer that claimed no version (a server before this fence, or a hand copy) left timestamp.json alone at before+1.
        File.Delete(Path.Combine(Folder.Path, $"{before + 1}.timestamp.json"));
        var published = Folder.Read(ImageRepository.TimestampFile);

        var refused = Assert.Throws<MetadataVersionConflictException>(() => _peer.PublishTimestamp()); // the peer would write before+1 again
        Assert.Equal(ImageRepository.TimestampFile, refused.File);
        Assert.Equal(published, Folder.Read(ImageRepository.TimestampFile));

        _peer.Refresh();
        _peer.PublishTimestamp(); // read again, it goes on above
        Assert.Equal(before + 2, OnDiskTimestamp);
    }

    [Fact]
    public void A_version_claimed_by_a_writer_that_died_before_replacing_the_timestamp_is_skipped()
    {
        var before = OnDiskTimestamp;
        var current = Folder.Read(ImageRepository.TimestampFile)!;
        _fixture.Image.PublishTimestamp();
        Folder.Replace(ImageRepository.TimestampFile, current); // as if killed between the claim and the rename

        _peer.Refresh();
        _peer.PublishTimestamp();

        Assert.Equal(1, before); // the bootstrap's
        Assert.Equal(3, OnDiskTimestamp);
        Assert.Equal([1L, 2L, 3L], Folder.Versions("timestamp"));
    }

    [Fact]
    public void A_timestamp_below_the_highest_claimed_version_is_due_at_once_and_replaced_above_every_claim()
    {
        var older = Folder.Read(ImageRepository.TimestampFile)!;
        _fixture.Image.PublishTimestamp(); // claims and publishes 2
        Folder.Replace(ImageRepository.TimestampFile, older); // a frozen writer's late rename put 1 back
        var resigner = new MetadataResigner(_peer, _fixture.Clock);

        // Named by the highest claim (2), not by the file (1): round t1 ran already and must not block this one.
        Assert.Equal(new ResignRound(2, _fixture.Clock.GetUtcNow()), resigner.Look(TimeSpan.FromHours(1)).Due);
        Assert.Equal(new ResignResult([], false, true), resigner.ResignDue());
        Assert.Equal(3, OnDiskTimestamp);
        Assert.Null(resigner.Look(TimeSpan.FromHours(1)).Due);
    }

    [Fact]
    public void A_compiler_file_no_snapshot_lists_yet_is_due_at_once_and_the_round_lists_it_without_re_signing_it_again()
    {
        _fixture.Image.ResignCompiler(Compiler); // the writer was killed before its snapshot
        var resigner = new MetadataResigner(_peer, _fixture.Clock);

        Assert.Equal(_fixture.Clock.GetUtcNow(), resigner.Look(TimeSpan.FromHours(1)).NextDue);
        var result = resigner.ResignDue();

        Assert.Equal(new ResignResult([], true, true), result);
        var published = PublishedImageRepository.Load(Folder);
        Assert.Equal(2, published.Delegated[Compiler].Signed.Version);
        Assert.Equal(2, published.Snapshot!.Signed.Meta[Compiler + ".json"].Version);
        Assert.Null(resigner.Look(TimeSpan.FromHours(1)).Due);
    }

    [Fact]
    public void A_snapshot_no_timestamp_names_yet_is_finished_by_a_new_timestamp_only()
    {
        var timestamp = Folder.Read(ImageRepository.TimestampFile)!;
        _fixture.Image.PublishSnapshot();
        Folder.Replace(ImageRepository.TimestampFile, timestamp); // killed between snapshot and timestamp
        var snapshot = PublishedImageRepository.Load(Folder).Snapshot!.Signed.Version;
        var resigner = new MetadataResigner(_peer, _fixture.Clock);

        var round = resigner.Look(TimeSpan.FromHours(1)).Due;
        Assert.NotNull(round);
        Assert.Equal(new ResignResult([], false, true), resigner.ResignDue(round.DueAt));

        var published = PublishedImageRepository.Load(Folder);
        Assert.Equal(snapshot, published.Snapshot!.Signed.Version);
        Assert.Equal(snapshot, published.Timestamp!.Signed.Snapshot.Version);
    }

    [Fact]
    public void A_round_due_on_a_clock_ahead_still_re_signs_on_a_clock_behind()
    {
        var resigner = new MetadataResigner(_peer, _fixture.Clock);
        var dueAt = resigner.NextDue(TimeSpan.FromHours(1)); // 12 h from now: the timestamp
        _fixture.Clock.AdjustTime(dueAt - TimeSpan.FromSeconds(2)); // this replica's clock is 2 s behind the scheduler's

        Assert.False(resigner.ResignDue().Any);
        Assert.Equal(new ResignResult([], false, true), resigner.ResignDue(dueAt));
    }
}
