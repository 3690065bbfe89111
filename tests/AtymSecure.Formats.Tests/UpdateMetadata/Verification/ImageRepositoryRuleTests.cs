using AtymSecure.Primitives;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.Formats.UpdateMetadata.Verification;
using static AtymSecure.Formats.ReasonCodes;

namespace AtymSecure.Formats.Tests.UpdateMetadata.Verification;

/// <summary>Steps 4–7 of docs/trust-model.md §3, one refusal per rule: image root, timestamp, snapshot, top-level targets.</summary>
public class ImageRepositoryRuleTests
{
    /// <summary>A device that installed 1.0.0 and is now assigned 1.1.0 (so it reads the image repository).</summary>
    private static UpdateScenario Updating()
    {
        var s = UpdateScenario.Running();
        s.AssignNext("1.1.0");
        return s;
    }

    private static string SnapshotFile(UpdateScenario s) => $"{s.Repository.SnapshotVersion}.snapshot.json";

    [Fact]
    public void An_image_root_rotation_needs_both_thresholds()
    {
        var s = Updating();
        var newRoot = TestKeys.Ed25519("image-root-2");
        s.Repository.RotateRoot(r => r, [newRoot], signers: [newRoot]);
        var refusal = s.Refused(ThresholdNotMet);
        Assert.Equal((4, "root", "2.root.json"), (refusal.Step!.Value, refusal.Role, refusal.File));
    }

    [Fact]
    public void A_2_of_3_root_rotates_with_2_old_and_2_new_signatures()
    {
        var s = Updating();
        var keys = new[] { TestKeys.Ed25519("r1"), TestKeys.Ed25519("r2"), TestKeys.Ed25519("r3") };
        s.Repository.RootThreshold = 2;
        s.Repository.RotateRoot(r => r, keys); // signed by the old key and all three new
        s.Installs();
        var next = new[] { keys[1], keys[2], TestKeys.Ed25519("r4") };
        s.Repository.RotateRoot(r => r, next, signers: [keys[0], next[2]]); // one old of {r1,r2,r3}... and one new: below both
        s.AssignNext("1.2.0");
        s.Refused(ThresholdNotMet);
        s.Repository.PublishRoot(s.Repository.Root, [keys[0], keys[1], next[2]]); // r1+r2 old (2 of 3), r2+r4 new (2 of 3)
        s.Installs();
        Assert.Equal(3, s.State.ImageRoot.Signed.Version);
    }

    [Fact]
    public void Timestamp_needs_the_timestamp_key()
    {
        var s = Updating();
        s.Repository.PublishTimestamp(key: s.Repository.SnapshotKey);
        var refusal = s.Refused(ThresholdNotMet);
        Assert.Equal((5, "timestamp", "timestamp.json"), (refusal.Step!.Value, refusal.Role, refusal.File));
    }

    [Fact]
    public void Timestamp_versions_and_its_snapshot_listing_only_move_forward()
    {
        var s = Updating();
        var held = s.State.ImageTimestamp!.Signed;
        s.Repository.PublishTimestamp(version: held.Version - 1);
        Assert.Equal("$.signed.version", s.Refused(RollbackVersion).Path);
        s.Repository.PublishTimestamp(version: held.Version + 5, snapshotVersion: held.Snapshot.Version - 1);
        Assert.Equal("$.signed.meta[\"snapshot.json\"].version", s.Refused(RollbackVersion).Path);
    }

    [Fact]
    public void An_equal_timestamp_version_keeps_the_one_held()
    {
        var s = Updating();
        var held = s.State.ImageTimestamp!;
        s.Repository.PublishTimestamp(version: held.Signed.Version); // same version, newer snapshot listing
        Assert.NotNull(s.Check().Refusal); // the held timestamp lists the old snapshot, which lacks 1.1.0
        Assert.Equal(held, s.State.ImageTimestamp);
    }

    [Fact]
    public void An_expired_timestamp_is_refused_but_still_raises_the_rollback_floor()
    {
        var s = Updating();
        s.Repository.TimestampLife = TimeSpan.FromMinutes(1);
        s.Repository.PublishTimestamp(version: 50);
        s.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(5, s.Refused(MetadataExpired).Step);
        Assert.Equal(50, s.State.ImageTimestamp!.Signed.Version);
        s.Repository.TimestampLife = TimeSpan.FromDays(1);
        s.Repository.PublishTimestamp(version: 49);
        s.Refused(RollbackVersion);
    }

    [Fact]
    public void Timestamp_is_capped_at_16_KiB()
    {
        var s = Updating();
        s.Repository.Source["timestamp.json"] = new byte[UpdateMetadataLimits.DefaultMaxTimestampBytes + 1];
        s.Refused(MetadataTooLarge);
        s.Repository.Source["timestamp.json"] = null;
        s.Refused(MetadataMissing);
    }

    [Fact]
    public void Snapshot_bytes_must_match_the_timestamp_listing()
    {
        var s = Updating();
        var file = SnapshotFile(s);
        s.Repository.Source.Resign<SnapshotMetadata>(file, d => d with { Expires = d.Expires.AddSeconds(1) }, s.Repository.SnapshotKey);
        var refusal = s.Refused(SnapshotMismatch);
        Assert.Equal((6, "snapshot", file), (refusal.Step!.Value, refusal.Role, refusal.File));
    }

    [Fact]
    public void Snapshot_longer_than_listed_is_too_large_and_is_not_read_past_the_listing()
    {
        var s = Updating();
        var file = SnapshotFile(s);
        s.Repository.Source[file] = [.. s.Repository.Source[file]!, .. new byte[10]];
        s.Refused(MetadataTooLarge);
    }

    [Fact]
    public void Snapshot_needs_the_snapshot_key_and_the_listed_version()
    {
        var s = Updating();
        s.Repository.PublishSnapshot(key: s.Repository.TimestampKey);
        Assert.Equal("snapshot", s.Refused(ThresholdNotMet).Role);

        // A snapshot signed as version N+7 but listed as N+2.
        s.Repository.PublishTamperedSnapshot(d => d with { Version = d.Version + 5 });
        Assert.Equal("$.signed.version", s.Refused(SnapshotMismatch).Path);
    }

    [Fact]
    public void Snapshot_may_not_drop_or_lower_a_targets_file()
    {
        var s = Updating();
        s.Installs();
        s.Repository.PublishTamperedSnapshot(d => d with { Meta = new EquatableMap<MetaFile>(d.Meta.Where(m => m.Key != "vendor-acme.json")) });
        s.AssignNext("1.2.0", publish: false);
        Assert.Contains("dropped", s.Refused(RollbackVersion).Detail, StringComparison.Ordinal);

        s.Repository.PublishTamperedSnapshot(d => d with { Meta = d.Meta.SetItem("vendor-acme.json", d.Meta["vendor-acme.json"] with { Version = 1 }) });
        Assert.Equal("$.signed.meta[\"vendor-acme.json\"].version", s.Refused(RollbackVersion).Path);
    }

    [Fact]
    public void Snapshot_must_not_have_expired()
    {
        var s = Updating();
        s.Repository.SnapshotLife = TimeSpan.FromMinutes(1);
        s.Repository.PublishSnapshot();
        s.Repository.TimestampLife = TimeSpan.FromDays(1);
        s.Clock.Advance(TimeSpan.FromMinutes(7));
        s.Repository.PublishTimestamp();
        Assert.Equal("snapshot", s.Refused(MetadataExpired).Role);
    }

    [Fact]
    public void Top_level_targets_must_match_the_snapshot_and_carry_the_targets_key()
    {
        var s = Updating();
        var file = $"{s.Repository.VersionOf("targets")}.targets.json";
        var original = s.Repository.Source[file]!;
        s.Repository.Source.Resign<TargetsMetadata>(file, d => d with { Expires = d.Expires.AddSeconds(1) }, s.Repository.TargetsKey);
        var refusal = s.Refused(SnapshotMismatch);
        Assert.Equal((7, "targets", file), (refusal.Step!.Value, refusal.Role, refusal.File));

        s.Repository.Source[file] = original;
        s.Repository.TargetsKey = TestKeys.Ed25519("not-the-targets-key");
        s.Repository.ChangeTopLevel(t => t);
        s.Repository.Publish();
        Assert.Equal("targets", s.Refused(ThresholdNotMet).Role);
    }

    [Fact]
    public void Top_level_targets_must_not_have_expired()
    {
        var s = Updating();
        s.Repository.TargetsLife = TimeSpan.FromMinutes(1);
        s.Repository.ChangeTopLevel(t => t);
        s.Repository.Publish();
        s.Clock.Advance(TimeSpan.FromMinutes(7));
        s.Repository.PublishTimestamp();
        Assert.Equal("targets", s.Refused(MetadataExpired).Role);
    }

    [Fact]
    public void A_snapshot_without_top_level_targets_is_a_mismatch()
    {
        var s = new UpdateScenario(); // no snapshot held yet, so this is not a drop
        s.Assign(s.Release(s.ReleaseOf("1.0.0", 1)));
        s.Repository.PublishTamperedSnapshot(d => d with { Meta = new EquatableMap<MetaFile>(d.Meta.Where(m => m.Key != "targets.json")) });
        Assert.Equal("$.signed.meta[\"targets.json\"]", s.Refused(SnapshotMismatch).Path);
    }

    [Fact]
    public void A_restored_timestamp_that_no_longer_verifies_counts_as_deleted()
    {
        var s = Updating();
        s.Check();
        var rotated = s.State with
        {
            ImageRoot = MetadataSigning.Sign(s.Repository.Root with
            {
                Version = 9,
                Keys = s.Repository.Root.Keys.SetItem(TestKeys.Ed25519("t2").PublicKey.KeyId, TestKeys.Ed25519("t2").PublicKey),
                Roles = s.Repository.Root.Roles.SetItem("timestamp", SampleMetadata.RoleOf(1, TestKeys.Ed25519("t2"))),
            }, s.Repository.RootKeys),
        };
        var restored = TrustedState.Restore(rotated.ImageRoot.ToBytes(), rotated.ImageTimestamp!.ToBytes(), rotated.ImageSnapshot!.ToBytes(),
            rotated.DirectorRoot.ToBytes(), rotated.DirectorTargets!.ToBytes(), rotated.TimeFloor, null);
        Assert.Null(restored.ImageTimestamp);
        Assert.NotNull(restored.ImageSnapshot);
        Assert.NotNull(restored.DirectorTargets);
    }
}
