using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.OtaMetadata.Offline;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaMetadata.Tests.Repository;

/// <summary>
/// Two replicas' root chains on one shared metadata folder (issue 17): a root accepted through one is the current root of
/// the other at its next read, including one that started before any root existed (found by the multi-process replicas
/// test: that replica answered every poll without director targets), and a next-version file that fails the upload's
/// checks is never adopted, not even by a replica that starts after it was dropped.
/// </summary>
public sealed class RootChainStoreReplicaTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _data = TempFolder.Create("root-chain-replicas");

    public void Dispose() => _data.Dispose();

    private RootChainStore Replica() => new(new MetadataFolder(_data.File("director")), RootPlan.DirectorRoles);

    private static byte[] Root(long version, IMetadataSigner rootKey, params IMetadataSigner[] signers) =>
        MetadataSigning.Sign(RootPlan.Build(version, Now.AddDays(365), new Dictionary<string, RoleAssignment>
        {
            ["root"] = new([rootKey.PublicKey], 1),
            ["targets"] = new([OfflineTestKeys.Get("director-targets").PublicKey], 1),
        }, consistentSnapshot: false), signers).ToBytes();

    [Fact]
    public void A_root_accepted_through_one_replica_is_current_on_the_other_which_started_before_it()
    {
        var one = Replica();
        var two = Replica();
        Assert.Null(two.Current);

        var key1 = OfflineTestKeys.Get("director-root-1");
        one.Accept(Root(1, key1, key1), Now);
        Assert.Equal(1, two.Current!.Signed.Version);

        // A rotation through one (signed by the old and the new root key), then the next through two.
        var key2 = OfflineTestKeys.Get("director-root-2");
        one.Accept(Root(2, key2, key1, key2), Now);
        Assert.Equal(2, two.Current!.Signed.Version);
        two.Accept(Root(3, key2, key2), Now);
        Assert.Equal(3, one.Current!.Signed.Version);
        Assert.Equal(two.Current!.FileBytes.ToArray(), one.Current!.FileBytes.ToArray());
    }

    [Fact]
    public void A_next_root_file_without_the_current_keys_threshold_is_not_adopted_and_the_chain_stays_where_it_was()
    {
        var one = Replica();
        var key1 = OfflineTestKeys.Get("director-root-1");
        one.Accept(Root(1, key1, key1), Now);
        var two = Replica();

        // Someone who can write the shared folder but holds no root key drops a 2.root.json signed by a key of their own.
        var forger = OfflineTestKeys.Get("director-root-2");
        File.WriteAllBytes(Path.Combine(_data.File("director"), "2.root.json"), Root(2, forger, forger));
        Assert.Equal(1, one.Current!.Signed.Version);
        Assert.Equal(1, two.Current!.Signed.Version);
        // A replica started after the drop walks the chain from 1.root.json and stops before the forged file too.
        var three = Replica();
        Assert.Equal(1, three.Current!.Signed.Version);
        // The genuine next root cannot take the forged file's name either: the write refuses to replace it, naming it.
        var refused = Assert.Throws<MetadataVersionConflictException>(() => one.Accept(Root(2, key1, key1), Now));
        Assert.Equal(MetadataVersionConflictException.Code, refused.Problems[0].Code);
        Assert.Equal("2.root.json", refused.File);
        Assert.Equal(1, one.Current!.Signed.Version);
    }
}
