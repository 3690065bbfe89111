using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Verification;

namespace AtymSecure.Formats.Tests.UpdateMetadata.Verification;

/// <summary>The verifier's normal path: what it accepts, what it hands on, and the state it leaves.</summary>
public class UpdateVerifierTests
{
    [Fact]
    public void A_listed_release_the_director_names_verifies_with_everything_the_installer_needs()
    {
        var s = new UpdateScenario();
        var release = s.ReleaseOf("1.2.0", 7);
        var assignment = s.Release(release);
        s.Assign(assignment);

        var update = s.Check().RequireUpdate();

        var install = Assert.Single(update.Installs);
        Assert.Equal(release, install.Release);
        Assert.Equal(new ImageReference(assignment.ImageSha256, assignment.ImageLength), install.Image);
        Assert.Equal(TestImageRepository.Hex(assignment.Bundle), install.Bundle.Sha256);
        Assert.Equal(assignment.Bundle.Length, install.Bundle.Length);
        Assert.Equal(TargetPaths.Image(release, assignment.ImageSha256), install.ImagePath);
        Assert.Equal("sha256:" + TestImageRepository.Hex(UpdateScenario.BytesOf(release).Source), install.SourceWasmDigest);
        Assert.Equal("compiler-linux-x86_64", install.ImageRole.Role);
        Assert.Equal([s.Repository.CompilerKey.PublicKey], install.ImageRole.Keys);
        Assert.Equal(TestImageRepository.Vendor, install.SourceRole.Role);
        Assert.Equal(s.Nonce, update.Nonce);
        Assert.Equal(s.Director.Version, update.DirectorVersion);
    }

    [Fact]
    public void The_state_holds_every_verified_file_and_the_time_floor()
    {
        var s = new UpdateScenario();
        s.Assign(s.Release(s.ReleaseOf("1.0.0", 1)));
        var result = s.Check();
        Assert.NotNull(result.Update);
        Assert.Equal(s.Repository.TimestampVersion, result.State.ImageTimestamp!.Signed.Version);
        Assert.Equal(s.Repository.SnapshotVersion, result.State.ImageSnapshot!.Signed.Version);
        Assert.Equal(s.Director.Version, result.State.DirectorTargets!.Signed.Version);
        Assert.Equal(UpdateScenario.Start, result.State.TimeFloor);
        Assert.Equal(UpdateScenario.Start, result.State.ImageRootRefreshedAt);
    }

    [Fact]
    public void Persisted_state_restores_to_an_equal_state_and_verifies_the_same()
    {
        var s = new UpdateScenario();
        s.Assign(s.Release(s.ReleaseOf("1.0.0", 1)));
        var state = s.Check().State;
        var restored = TrustedState.Restore(state.ImageRoot.ToBytes(), state.ImageTimestamp!.ToBytes(), state.ImageSnapshot!.ToBytes(),
            state.DirectorRoot.ToBytes(), state.DirectorTargets!.ToBytes(), state.TimeFloor, state.ImageRootRefreshedAt);
        Assert.Equal(state, restored);
        s.State = restored;
        Assert.NotNull(s.Check().Update);
    }

    [Fact]
    public void Nothing_new_once_the_named_image_is_installed_and_only_the_director_is_read()
    {
        var s = UpdateScenario.Running();
        s.Repository.Source.Requests.Clear();
        s.Clock.Advance(TimeSpan.FromHours(1));

        var result = s.Check();

        Assert.True(result.IsUpToDate, result.ToString());
        Assert.Empty(s.Repository.Source.Requests); // the image root was refreshed an hour ago
        Assert.Equal(s.Clock.Now, result.State.TimeFloor);
    }

    [Fact]
    public void An_idle_device_still_walks_the_image_root_every_24_hours()
    {
        var s = UpdateScenario.Running();
        s.Repository.RotateRoot(root => root);
        s.Clock.Advance(TimeSpan.FromHours(24));
        s.Repository.Source.Requests.Clear();

        Assert.True(s.Check().IsUpToDate);

        Assert.Equal(["2.root.json", "3.root.json"], s.Repository.Source.Requests);
        Assert.Equal(2, s.State.ImageRoot.Signed.Version);
    }

    [Fact]
    public void A_new_release_with_a_new_nonce_updates_and_only_changed_containers_are_installs()
    {
        var s = new UpdateScenario();
        s.Containers["sensor-other"] = new InstalledContainer(0);
        var first = s.Release(s.ReleaseOf("1.0.0", 1));
        var other = s.Release(s.ReleaseOf("0.1.0", 1, container: "sensor-other"));
        s.Assign(first, other);
        Assert.Equal(2, s.Installs().Installs.Count);

        var second = s.Release(s.ReleaseOf("1.1.0", 1));
        s.NewNonce();
        s.Assign(second, other);
        var update = s.Installs();
        Assert.Equal("1.1.0", Assert.Single(update.Installs).Release.Version);
    }

    [Fact]
    public void The_identical_director_document_again_is_not_held_to_the_new_nonce()
    {
        var s = UpdateScenario.Running();
        s.NewNonce(); // the device reported again; the server has not answered yet
        Assert.True(s.Check().IsUpToDate);
    }

    [Fact]
    public void A_pending_image_counts_as_held()
    {
        var s = new UpdateScenario();
        var a = s.Release(s.ReleaseOf("1.0.0", 1));
        s.Assign(a);
        s.Containers[UpdateScenario.Container] = new InstalledContainer(0, ConfirmedImageSha256: null, PendingImageSha256: a.ImageSha256);
        Assert.True(s.Check().IsUpToDate);
    }

    [Fact]
    public void Verification_uses_the_clock_or_the_floor_whichever_is_later()
    {
        var s = new UpdateScenario();
        s.Assign(s.Release(s.ReleaseOf("1.0.0", 1)));
        s.State = s.State with { TimeFloor = UpdateScenario.Start + TimeSpan.FromDays(2) }; // past the timestamp's expiry
        Assert.Equal(ReasonCodes.MetadataExpired, s.Check().Refusal!.Code);
    }

    [Fact]
    public void The_bounded_download_yields_exactly_the_signed_bytes()
    {
        var bundle = "bundle bytes"u8.ToArray();
        var target = TargetFile.Describe(bundle);
        Assert.Equal(bundle, LengthBoundedDownload.ReadAll(new MemoryStream(bundle), "b", target));
        Assert.Equal(bundle, LengthBoundedDownload.ReadAll(new TrickleStream(bundle), "b", target));
    }

    /// <summary>A source that returns one byte per read, as a slow network does.</summary>
    internal sealed class TrickleStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(1, buffer.Length)]);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(1, count));
    }
}
