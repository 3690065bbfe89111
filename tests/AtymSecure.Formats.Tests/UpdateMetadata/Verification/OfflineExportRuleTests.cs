using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.Formats.UpdateMetadata.Verification;
using AtymSecure.Primitives;
using static AtymSecure.Formats.ReasonCodes;

namespace AtymSecure.Formats.Tests.UpdateMetadata.Verification;

/// <summary>
/// The offline path of docs/trust-model.md §6 through <see cref="UpdateVerifier.CheckOffline"/>: the same steps as
/// online, with the offline director document in place of the per-device one — no nonce, its own version sequence,
/// a device list, image-repository expiries judged at <c>exportedAt</c>. One refusal per rule.
/// </summary>
public class OfflineExportRuleTests
{
    private const string OtherDevice = "atym-fedcba9876543210";

    /// <summary>A release in the image repository and an offline document naming it for <paramref name="devices"/>, exported now.</summary>
    private static UpdateScenario Exported(long version = 1, string[]? devices = null, TimeSpan? life = null, DateTimeOffset? exportedAt = null)
    {
        var s = new UpdateScenario();
        var assignment = s.Release(s.ReleaseOf("1.0.0", 1));
        PublishOffline(s, version, devices ?? [UpdateScenario.DeviceId, OtherDevice], life, exportedAt, assignment);
        return s;
    }

    private static void PublishOffline(UpdateScenario s, long version, string[] devices, TimeSpan? life, DateTimeOffset? exportedAt, params TestDirector.Assignment[] assignments)
    {
        var online = s.Director.Document(UpdateScenario.DeviceId, s.DeviceClass, s.Nonce, assignments);
        var at = exportedAt ?? s.Clock.Now;
        s.Director.Publish(online with
        {
            Version = version,
            Expires = at + (life ?? OfflineDirectorCustom.DefaultLifetime),
            Custom = new OfflineDirectorCustom(s.DeviceClass, new EquatableList<string>(devices), at).ToJson(),
        }, s.Director.TargetsKey);
    }

    private static UpdateCheck Offline(UpdateScenario s, long storedOfflineVersion = 0)
    {
        var result = new UpdateVerifier(s.Clock, s.Limits).CheckOffline(s.State, s.Sources, s.Device, storedOfflineVersion);
        s.State = result.State;
        return result;
    }

    private static MetadataRefusal Refused(UpdateCheck result, string code, int step)
    {
        Assert.True(result.Refusal is not null, $"expected {code}, got {result}");
        Assert.Equal((code, step), (result.Refusal.Code, result.Refusal.Step));
        Assert.Null(result.Update);
        return result.Refusal;
    }

    [Fact]
    public void An_export_for_a_device_list_verifies_without_a_nonce_and_says_which_offline_version_to_store()
    {
        var s = Exported(version: 4);
        s.AcceptedNonces.Clear(); // an air-gapped device never reported
        var update = Offline(s, storedOfflineVersion: 3).RequireUpdate();

        Assert.True(update.IsOffline);
        Assert.Null(update.Nonce);
        Assert.Equal(4, update.OfflineVersion);
        var install = Assert.Single(update.Installs);
        Assert.Equal("1.0.0", install.Release.Version);
        Assert.Equal(s.Repository.Compiler, install.ImageRole.Role);
        Assert.Null(s.State.DirectorTargets); // the online document sequence is untouched
    }

    [Fact]
    public void The_image_repository_is_judged_at_exportedAt_so_a_site_installs_after_the_timestamp_expired_but_online_it_is_stale()
    {
        var s = Exported();
        s.Clock.Advance(TimeSpan.FromDays(20)); // timestamp (1 d) and snapshot (7 d) long expired, offline document (30 d) not
        Assert.NotNull(Offline(s).Update);

        var online = new UpdateScenario();
        online.Assign(online.Release(online.ReleaseOf("1.0.0", 1)));
        online.Clock.Advance(TimeSpan.FromDays(20));
        Assert.Equal(MetadataExpired, online.Check().Refusal?.Code); // the director document (1 d) and timestamp are stale online
    }

    [Fact]
    public void An_export_for_other_devices_is_refused_as_wrong_device()
    {
        var refusal = Refused(Offline(Exported(devices: [OtherDevice])), WrongDevice, 2);
        Assert.Equal("$.signed.custom.devices", refusal.Path);
    }

    [Fact]
    public void An_expired_offline_document_is_refused_at_now()
    {
        var s = Exported();
        s.Clock.Advance(OfflineDirectorCustom.DefaultLifetime + TimeSpan.FromMinutes(6));
        Assert.Equal("targets", Refused(Offline(s), MetadataExpired, 2).Role);
    }

    [Fact]
    public void An_older_export_after_a_newer_one_was_accepted_is_refused_by_version_and_the_same_one_again_is_not()
    {
        var s = Exported(version: 3);
        Assert.Contains("already accepted offline version 5", Refused(Offline(s, storedOfflineVersion: 5), RollbackVersion, 2).Detail);
        Assert.NotNull(Offline(s, storedOfflineVersion: 3).Update); // the same export again: only what it names, under the counters
    }

    [Fact]
    public void A_missing_role_file_is_refused_as_metadata_missing_with_its_name()
    {
        var s = Exported();
        s.Repository.Source["timestamp.json"] = null;
        var refusal = Refused(Offline(s), MetadataMissing, 5);
        Assert.Equal("timestamp.json", refusal.File);

        var t = Exported();
        t.Director.Source["targets.json"] = null;
        Assert.Equal("targets.json", Refused(Offline(t), MetadataMissing, 2).File);
    }

    [Fact]
    public void An_export_from_the_future_or_living_longer_than_90_days_is_malformed()
    {
        var s = new UpdateScenario();
        var ahead = Exported(exportedAt: s.Clock.Now + TimeSpan.FromMinutes(10));
        Assert.Equal("$.signed.custom.exportedAt", Refused(Offline(ahead), MetadataMalformed, 2).Path);
        var longLived = Exported(life: OfflineDirectorCustom.MaxLifetime + TimeSpan.FromDays(1));
        Assert.Equal("$.signed.expires", Refused(Offline(longLived), MetadataMalformed, 2).Path);
    }

    [Fact]
    public void An_online_document_is_not_an_export_and_an_offline_document_is_never_accepted_online()
    {
        var online = new UpdateScenario();
        online.Assign(online.Release(online.ReleaseOf("1.0.0", 1)));
        Assert.Equal("$.signed.custom.offline", Refused(Offline(online), MetadataMalformed, 2).Path);

        var s = Exported();
        var refusal = s.Check().Refusal!;
        Assert.Equal((MetadataMalformed, "$.signed.custom.offline"), (refusal.Code, refusal.Path));
    }

    [Fact]
    public void An_offline_document_signed_by_another_key_is_below_threshold()
    {
        var s = Exported();
        var document = SignedMetadata<TargetsMetadata>.Parse(s.Director.Source["targets.json"]);
        s.Director.Publish(document.Signed, TestKeys.Ed25519("not-the-director"));
        Refused(Offline(s), ThresholdNotMet, 2);
    }
}
