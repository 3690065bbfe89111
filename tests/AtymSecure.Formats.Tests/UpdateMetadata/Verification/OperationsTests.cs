using AtymSecure.Formats.UpdateMetadata.Signing;

namespace AtymSecure.Formats.Tests.UpdateMetadata.Verification;

/// <summary>
/// The operations of issue 13 §1 and §4 at the verifier: rotating the director, timestamp or snapshot key keeps
/// every device updating, including devices that missed intermediate root versions; a device offline past every
/// expiry recovers on its next poll, without help.
/// </summary>
public class OperationsTests
{
    [Fact]
    public void A_rotated_director_key_keeps_the_device_updating_across_missed_root_versions()
    {
        var s = UpdateScenario.Running();
        s.Director.RotateRoot(newTargetsKey: TestKeys.Ed25519("director-targets-2"));
        s.Director.RotateRoot(newRootKey: TestKeys.Ed25519("director-root-2"));
        s.Director.RotateRoot(newTargetsKey: TestKeys.Ed25519("director-targets-3"));
        s.AssignNext("1.1.0");

        s.Installs();

        Assert.Equal(4, s.State.DirectorRoot.Signed.Version);
        Assert.Equal(s.Director.Version, s.State.DirectorTargets!.Signed.Version);
    }

    [Fact]
    public void Rotated_timestamp_and_snapshot_keys_keep_the_device_updating_across_missed_root_versions()
    {
        var s = UpdateScenario.Running();
        s.Repository.TimestampKey = TestKeys.Ed25519("image-timestamp-2");
        s.Repository.RotateRoot(root => root);
        s.Repository.PublishTimestamp();
        s.Repository.SnapshotKey = TestKeys.Ed25519("image-snapshot-2");
        s.Repository.RotateRoot(root => root);
        s.Repository.PublishSnapshot();
        s.Repository.RotateRoot(root => root, [TestKeys.Ed25519("image-root-2")]);
        s.AssignNext("1.1.0");

        s.Installs();

        Assert.Equal(4, s.State.ImageRoot.Signed.Version);
        Assert.Equal(s.Repository.TimestampVersion, s.State.ImageTimestamp!.Signed.Version);
    }

    [Fact]
    public void A_device_offline_past_every_expiry_recovers_on_its_next_poll()
    {
        var s = UpdateScenario.Running();
        // Two years away. The server rotates both roots before they expire and keeps every N.root.json.
        for (var day = 300; day <= 600; day += 300)
        {
            s.Clock.Now = UpdateScenario.Start + TimeSpan.FromDays(day);
            s.Repository.RotateRoot(root => root);
            s.Director.RotateRoot();
        }
        s.Clock.Now = UpdateScenario.Start + TimeSpan.FromDays(730);

        // While the server has not re-signed yet, the device refuses stale metadata and keeps running what it has.
        Assert.NotNull(s.Check().Refusal);
        Assert.Equal(3, s.State.DirectorRoot.Signed.Version); // the walk itself succeeded and is kept

        // Its next poll after the server re-signed: root chains walked (root 2 expired on the way), fresh files, update.
        s.Repository.RepublishAll();
        s.AssignNext("2.0.0");
        s.Installs();
        Assert.Equal(3, s.State.ImageRoot.Signed.Version);
        Assert.Equal(s.Clock.Now, s.State.TimeFloor);
    }

    [Fact]
    public void An_offline_root_chain_skipping_a_version_is_refused()
    {
        var s = UpdateScenario.Running();
        s.Repository.RotateRoot(root => root);
        s.Repository.RotateRoot(root => root);
        s.Repository.Source["2.root.json"] = null; // a gap: 3.root.json exists but 2 is missing
        s.AssignNext("1.1.0");
        s.Installs(); // the walk stops at the gap: root 1 is still valid, and 3 is never looked at
        Assert.Equal(1, s.State.ImageRoot.Signed.Version);
        s.Repository.Source["2.root.json"] = MetadataSigning.Sign(s.Repository.RootDocument(3), s.Repository.RootKeys).ToBytes();
        s.AssignNext("1.2.0");
        Assert.Equal(ReasonCodes.RootChainBroken, s.Check().Refusal!.Code);
    }
}
