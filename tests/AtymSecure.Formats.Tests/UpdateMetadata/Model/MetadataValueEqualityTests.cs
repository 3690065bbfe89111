using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;

namespace AtymSecure.Formats.Tests.UpdateMetadata.Model;

/// <summary>
/// Metadata records hold their collections as primitives' <see cref="EquatableList{T}"/> and <see cref="EquatableMap{TValue}"/>,
/// so documents read twice are equal by value and no member is left out of equality.
/// </summary>
public class MetadataValueEqualityTests
{
    private static T ReadTwice<T>(RoleMetadata document, IMetadataSigner signer, out T again) where T : RoleMetadata, IRoleMetadata<T>
    {
        var bytes = MetadataSigning.Sign((T)document, signer).ToBytes();
        again = SignedMetadata<T>.Parse(bytes).Signed;
        return SignedMetadata<T>.Parse(bytes).Signed;
    }

    private static void AssertEqualByValue<T>(T a, T b) where T : class
    {
        Assert.NotSame(a, b);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Fact]
    public void Root_documents_and_their_role_keys_compare_by_value()
    {
        var a = ReadTwice<RootMetadata>(SampleMetadata.RootDocument(), SampleMetadata.Root, out var b);
        AssertEqualByValue(a, b);
        var different = SampleMetadata.RootDocument(2) with
        {
            Expires = SampleMetadata.Expires.AddDays(1), SpecVersion = "1.0.0", ConsistentSnapshot = false,
            Keys = SampleMetadata.KeysOf(SampleMetadata.Vendor), Roles = new EquatableMap<RoleKeys>([KeyValuePair.Create("root", SampleMetadata.RoleOf(1, SampleMetadata.Vendor))]),
        };
        Assert.Empty(ValueEqualityProbe.PropertiesIgnoredByEquals(a, different));
        Assert.Empty(ValueEqualityProbe.PropertiesIgnoredByEquals(a.Roles["root"], SampleMetadata.RoleOf(2, SampleMetadata.Vendor)));
    }

    [Fact]
    public void Targets_documents_their_files_and_delegations_compare_by_value()
    {
        var a = ReadTwice<TargetsMetadata>(SampleMetadata.TopTargets(), SampleMetadata.Targets, out var b);
        AssertEqualByValue(a, b);
        AssertEqualByValue(a.Delegations!, b.Delegations!);
        var director = ReadTwice<TargetsMetadata>(SampleMetadata.DirectorTargets("dd" + new string('0', 62)), SampleMetadata.Targets, out var directorAgain);
        AssertEqualByValue(director, directorAgain);
        Assert.Empty(ValueEqualityProbe.PropertiesIgnoredByEquals(a, director with { Version = 2, Expires = SampleMetadata.Expires.AddDays(1), SpecVersion = "1.0.0" }));
        var file = director.Targets.Values.Single();
        Assert.Empty(ValueEqualityProbe.PropertiesIgnoredByEquals(file, new TargetFile(1, new EquatableMap<string>([KeyValuePair.Create("sha256", new string('e', 64))]))));
        var role = a.Delegations!.Roles[0];
        Assert.Empty(ValueEqualityProbe.PropertiesIgnoredByEquals(role,
            new DelegatedRole("other", SampleMetadata.RoleOf(2, SampleMetadata.Root), !role.Terminating, ["other/*"], ["ab"])));
        Assert.Empty(ValueEqualityProbe.PropertiesIgnoredByEquals(a.Delegations, new Delegations(EquatableMap<TufKey>.Empty, EquatableList<DelegatedRole>.Empty)));
    }

    [Fact]
    public void Snapshot_and_timestamp_listings_compare_by_value()
    {
        var targets = MetadataSigning.Sign(SampleMetadata.TopTargets(), SampleMetadata.Targets).ToBytes();
        var a = ReadTwice<SnapshotMetadata>(SampleMetadata.SnapshotDocument(("targets", targets, 1)), SampleMetadata.Snapshot, out var b);
        AssertEqualByValue(a, b);
        Assert.Empty(ValueEqualityProbe.PropertiesIgnoredByEquals(a, SampleMetadata.SnapshotDocument(("targets", [1], 2)) with
        {
            Version = 2, Expires = SampleMetadata.Expires.AddDays(1), SpecVersion = "1.0.0",
        }));
        var listing = a.Meta.Values.Single();
        Assert.Empty(ValueEqualityProbe.PropertiesIgnoredByEquals(listing, MetaFile.Describe(9, [9])));
        var snapshot = MetadataSigning.Sign(a, SampleMetadata.Snapshot).ToBytes();
        var t = ReadTwice<TimestampMetadata>(SampleMetadata.TimestampDocument(snapshot), SampleMetadata.Timestamp, out var tAgain);
        AssertEqualByValue(t, tAgain);
    }
}
