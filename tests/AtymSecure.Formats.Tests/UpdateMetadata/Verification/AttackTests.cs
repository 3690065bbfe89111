using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.Formats.UpdateMetadata.Verification;
using static AtymSecure.Formats.ReasonCodes;

namespace AtymSecure.Formats.Tests.UpdateMetadata.Verification;

/// <summary>
/// One test per attack of issue 13 §4, at the verifier (pure, in-process, hand-moved clock): each asserts the reason
/// code of docs/trust-model.md §5 and that nothing was verified for installation. The same attacks over HTTP against a
/// real device come with the OTA server. The device starts from a confirmed 1.0.0 and is assigned 1.1.0, unless the
/// attack needs otherwise.
/// </summary>
public class AttackTests
{
    private static UpdateScenario Running(out TestDirector.Assignment next)
    {
        var s = UpdateScenario.Running();
        next = s.AssignNext("1.1.0");
        return s;
    }

    private static TestDirector.Assignment Unlisted(UpdateScenario s, string version = "6.6.6")
    {
        var release = s.ReleaseOf(version, 1);
        var (image, _, bundle) = UpdateScenario.BytesOf(release);
        return new TestDirector.Assignment(release, TestImageRepository.Hex(image), image.Length, bundle);
    }

    [Fact]
    public void Arbitrary_software_a_forged_or_unlisted_target_is_refused()
    {
        var s = Running(out _);
        // A man in the middle signs director targets with its own key.
        var forged = s.Director.Document(UpdateScenario.DeviceId, s.DeviceClass, s.Nonce, Unlisted(s));
        s.Director.Publish(forged, TestKeys.Ed25519("attacker"));
        s.Refused(ThresholdNotMet);
        // Even correctly signed, a target in no image-repository metadata is not installed.
        s.Director.Publish(forged, s.Director.TargetsKey);
        s.Refused(TargetNotListed);
    }

    [Theory]
    [InlineData("timestamp")]
    [InlineData("snapshot")]
    [InlineData("director")]
    public void Rollback_an_older_version_of_a_role_is_refused(string role)
    {
        var s = Running(out var next);
        var oldTimestamp = s.Repository.Source["timestamp.json"]!;
        var oldDirector = s.Director.Source["targets.json"]!;
        s.Installs();
        s.AssignNext("1.2.0");
        s.Check(); // the device now holds newer versions of every role
        switch (role)
        {
            case "timestamp":
                s.Repository.Source["timestamp.json"] = oldTimestamp;
                break;
            case "snapshot":
                // Served files are signed, so an older snapshot can only come through a timestamp that lists it: even one
                // signed with a stolen timestamp key at a higher version lists a snapshot below the one the device holds.
                s.Repository.PublishTimestamp(snapshotVersion: s.Repository.SnapshotVersion - 1);
                break;
            default:
                s.Director.Source["targets.json"] = oldDirector;
                break;
        }
        s.Refused(RollbackVersion);
    }

    [Fact]
    public void Freeze_an_expired_timestamp_is_refused_and_a_reset_clock_does_not_revive_it()
    {
        var s = Running(out _);
        s.Director.TargetsLife = TimeSpan.FromDays(30);
        s.Assign(s.Release(s.ReleaseOf("1.1.1", 1)));
        s.Clock.Advance(TimeSpan.FromDays(2)); // from here on the attacker serves only what was published on day 0
        var refusal = s.Refused(MetadataExpired);
        Assert.Equal((5, "timestamp"), (refusal.Step!.Value, refusal.Role));

        // Had the last successful cycle been on day 2 (the time floor), an RTC reset to 1970 would not revive files
        // that had expired by then: now = max(clock, floor).
        s.State = s.State with { TimeFloor = s.Clock.Now };
        s.Clock.Now = DateTimeOffset.UnixEpoch;
        Assert.Equal(MetadataExpired, s.Check().Refusal!.Code);
    }

    [Fact]
    public void Freeze_expired_director_targets_are_refused()
    {
        var s = Running(out _);
        s.Repository.TimestampLife = TimeSpan.FromDays(30);
        s.Repository.PublishTimestamp();
        s.Clock.Advance(TimeSpan.FromDays(2));
        var refusal = s.Refused(MetadataExpired);
        Assert.Equal((2, "targets"), (refusal.Step!.Value, refusal.Role));
    }

    [Fact]
    public void Fast_forward_a_stolen_timestamp_key_inflates_versions_until_the_root_rotates_it_out()
    {
        var s = Running(out var next);
        // The attacker signs timestamp version 1,000,000 with the stolen key; the device accepts it (it is signed)...
        s.Repository.PublishTimestamp(version: 1_000_000);
        s.Check();
        Assert.Equal(1_000_000, s.State.ImageTimestamp!.Signed.Version);
        // ...and now refuses every real timestamp as a rollback.
        s.Repository.PublishTimestamp(version: 10);
        s.Refused(RollbackVersion);

        // Recovery: the operator rotates the timestamp key in root 2. A power cut after root 2 was stored but before the
        // new timestamp changes nothing: the held timestamp does not verify under root 2 and counts as deleted.
        s.Repository.TimestampKey = TestKeys.Ed25519("image-timestamp-2");
        s.Repository.RotateRoot(root => root);
        s.Repository.PublishTimestamp(version: 11);
        var afterCut = s.State with { ImageRoot = SignedMetadata<RootMetadata>.Parse(s.Repository.RootFile(2)) };
        var restored = TrustedState.Restore(afterCut.ImageRoot.ToBytes(), afterCut.ImageTimestamp!.ToBytes(), afterCut.ImageSnapshot!.ToBytes(),
            afterCut.DirectorRoot.ToBytes(), afterCut.DirectorTargets!.ToBytes(), afterCut.TimeFloor, afterCut.ImageRootRefreshedAt);
        Assert.Null(restored.ImageTimestamp);

        s.Installs(); // from the state without the cut: root 2 drops the inflated timestamp (TUF §5.3.11)
        Assert.Equal(11, s.State.ImageTimestamp!.Signed.Version);
        Assert.Equal(next.ImageSha256, s.Containers[UpdateScenario.Container].ConfirmedImageSha256);
    }

    [Fact]
    public void Mix_and_match_a_targets_file_from_another_snapshot_is_refused()
    {
        var s = Running(out _);
        var compiler = s.Repository.Compiler;
        var oldFile = $"{s.Repository.VersionOf(compiler)}.{compiler}.json";
        var oldBytes = s.Repository.Source[oldFile]!;
        s.AssignNext("1.2.0");
        // The attacker serves the old compiler file where the new snapshot names the new one.
        s.Repository.Source[$"{s.Repository.VersionOf(compiler)}.{compiler}.json"] = oldBytes;
        var refusal = s.Refused(SnapshotMismatch); // the older file lists fewer targets: shorter than its listing
        Assert.Equal((8, compiler), (refusal.Step!.Value, refusal.Role));
    }

    [Fact]
    public void Mix_and_match_the_director_names_an_image_the_repository_lacks_or_lists_with_another_hash()
    {
        var s = Running(out var next);
        s.Assign(Unlisted(s));
        s.Refused(TargetNotListed);
        s.Assign(next with { ImageSha256 = TestImageRepository.Hex("other image"u8.ToArray()) });
        s.Refused(TargetNotListed); // another hash is another path: nothing is listed there
        s.Assign(next with { ImageLength = next.ImageLength + 1 });
        s.Refused(TargetMismatch);
    }

    [Fact]
    public void Endless_data_oversized_metadata_and_an_overlong_bundle_are_cut_off()
    {
        var s = Running(out var next);
        var huge = new byte[2 * 1024 * 1024];
        foreach (var (source, name) in new[] { (s.Director.Source, "2.root.json"), (s.Director.Source, "targets.json") })
        {
            var saved = source[name];
            source[name] = huge;
            s.Refused(MetadataTooLarge);
            source[name] = saved;
        }
        s.Repository.Source["timestamp.json"] = huge;
        s.Refused(MetadataTooLarge);

        var target = TargetFile.Describe(next.Bundle);
        var refusal = Assert.Throws<MetadataRefusedException>(() => LengthBoundedDownload.ReadAll(new MemoryStream([.. next.Bundle, .. huge]), "bundle", target));
        Assert.Equal(LengthExceeded, refusal.Code);
    }

    [Fact]
    public void Below_threshold_one_of_two_required_signatures_and_one_key_signing_twice()
    {
        var s = Running(out _);
        var second = TestKeys.Ed25519("image-snapshot-b");
        var keys = s.Repository.Root.Keys.SetItem(second.PublicKey.KeyId, second.PublicKey);
        s.Repository.RotateRoot(root => root with { Keys = keys, Roles = root.Roles.SetItem("snapshot", SampleMetadata.RoleOf(2, s.Repository.SnapshotKey, second)) });
        s.Repository.PublishSnapshot(); // signed by the first snapshot key only
        s.Refused(ThresholdNotMet);

        var file = $"{s.Repository.SnapshotVersion}.snapshot.json";
        var once = s.Repository.Source.Read<SnapshotMetadata>(file);
        s.Repository.Source[file] = SignedMetadata<SnapshotMetadata>.Create(once.Signed, [once.Signatures[0], once.Signatures[0]]).ToBytes();
        s.Repository.PublishTimestamp();
        Assert.Contains("1 valid signature(s)", s.Refused(ThresholdNotMet).Detail, StringComparison.Ordinal);

        s.Repository.Source[file] = MetadataSigning.Sign(once.Signed, s.Repository.SnapshotKey, second).ToBytes();
        s.Repository.PublishTimestamp();
        s.Installs();
    }

    [Fact]
    public void Revoked_keys_a_key_a_root_rotation_removed_no_longer_signs_anything()
    {
        var s = Running(out _);
        var revoked = s.Repository.TimestampKey;
        s.Repository.TimestampKey = TestKeys.Ed25519("image-timestamp-2");
        s.Repository.RotateRoot(root => root);
        s.Repository.PublishTimestamp(key: revoked);
        var refusal = s.Refused(ThresholdNotMet);
        Assert.Equal("timestamp", refusal.Role);

        // A compiler key revoked by new delegations in top-level targets.
        var revokedCompiler = s.Repository.CompilerKey;
        s.Repository.CompilerKey = TestKeys.Ed25519("compiler-2");
        s.Repository.ChangeTopLevel(t => t with { Delegations = s.Repository.CurrentDelegations() });
        s.Repository.Publish();
        var compiler = s.Repository.Compiler;
        var file = $"{s.Repository.VersionOf(compiler)}.{compiler}.json";
        s.Repository.Source.Resign<TargetsMetadata>(file, d => d, revokedCompiler);
        s.Repository.PublishSnapshot();
        Assert.Equal(compiler, s.Refused(ThresholdNotMet).Role);
    }

    [Fact]
    public void Wrong_device_or_class_director_metadata_for_another_device_is_refused()
    {
        var s = Running(out var next);
        s.Director.Assign("atym-00000000000000ff", s.DeviceClass, s.Nonce, next);
        s.Refused(WrongDevice);
        s.Director.Assign(UpdateScenario.DeviceId, "mcu-cortex-m33", s.Nonce, next);
        s.Refused(WrongClass);
    }

    [Fact]
    public void Replayed_director_metadata_answering_an_old_report_is_refused()
    {
        var s = Running(out var next);
        var answer = s.Director.Source["targets.json"]!; // answers the report with the current nonce; the device misses it
        s.NewNonce(); // the device reports again
        s.Director.Source["targets.json"] = answer; // the attacker replays the old answer
        s.Refused(StaleNonce);
    }

    [Fact]
    public void Compromised_director_key_alone_cannot_install_what_the_image_repository_does_not_list()
    {
        var s = Running(out var next);
        // Its own image: not listed.
        s.Assign(Unlisted(s));
        s.Refused(TargetNotListed);
        // A listed image claimed to be another release: the must-match fields disagree.
        s.Assign(next with { Release = next.Release with { SecurityCounter = 99 } });
        s.Refused(TargetNotListed); // the counter is part of the path
        s.Assign(next with { Release = next.Release with { CodeKind = AtymSecure.Formats.Bundle.ArtifactKind.Wasm } });
        s.Refused(TargetMismatch);
        // An older listed image below the counter floor.
        s.Containers[UpdateScenario.Container] = s.Containers[UpdateScenario.Container] with { SecurityCounterFloor = 2 };
        s.Assign(next);
        s.Refused(CounterRollback);
    }

    [Fact]
    public void Compromised_image_repository_online_keys_alone_cannot_point_a_device_at_anything()
    {
        var s = Running(out var next);
        // With the snapshot, timestamp and compiler keys, the attacker lists its own image for this container...
        var evil = s.ReleaseOf("6.6.6", 9);
        s.Repository.AddRelease(evil, "evil image"u8.ToArray(), "evil wasm"u8.ToArray(), listSource: false);
        // ...and swaps the listing of the image the director names.
        var compiler = s.Repository.Compiler;
        s.Repository.AddTarget(compiler, TargetPaths.Image(next.Release, next.ImageSha256), TargetFile.Describe("evil image"u8.ToArray(),
            new ImageTargetCustom(next.Release, "sha256:" + TestImageRepository.Hex("evil wasm"u8.ToArray())).ToJson()));
        s.Repository.Publish();
        s.Refused(TargetMismatch);

        // The director names what the device runs: a device not assigned anything new installs nothing.
        s.Assign(s.Release(s.ReleaseOf("1.0.0", 1), publish: false) with { ImageSha256 = s.Containers[UpdateScenario.Container].ConfirmedImageSha256! });
        Assert.True(s.Check().IsUpToDate);
    }
}
