using AtymSecure.Primitives;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.Formats.UpdateMetadata.Verification;
using static AtymSecure.Formats.ReasonCodes;

namespace AtymSecure.Formats.Tests.UpdateMetadata.Verification;

/// <summary>Steps 1 and 2 of docs/trust-model.md §3, one refusal per rule: the director's root walk and its targets document.</summary>
public class DirectorRuleTests
{
    private static UpdateScenario Assigned(out TestDirector.Assignment assignment)
    {
        var s = new UpdateScenario();
        assignment = s.Release(s.ReleaseOf("1.0.0", 1));
        s.Assign(assignment);
        return s;
    }

    private static void AssertAt(MetadataRefusal refusal, int step, string role, string? file = null)
    {
        Assert.Equal(step, refusal.Step);
        Assert.Equal(role, refusal.Role);
        if (file is not null) Assert.Equal(file, refusal.File);
    }

    [Fact]
    public void Root_walk_needs_the_old_root_keys()
    {
        var s = Assigned(out _);
        var intruder = TestKeys.Ed25519("intruder");
        s.Director.Source["2.root.json"] = MetadataSigning.Sign(s.Director.Root with { Version = 2, Keys = SampleMetadata.KeysOf(intruder, s.Director.TargetsKey), Roles = s.Director.Root.Roles.SetItem("root", SampleMetadata.RoleOf(1, intruder)) }, intruder).ToBytes();
        AssertAt(s.Refused(ThresholdNotMet), 1, "root", "2.root.json");
        Assert.Equal(1, s.State.DirectorRoot.Signed.Version);
    }

    [Fact]
    public void Root_walk_needs_the_new_root_keys_too()
    {
        var s = Assigned(out _);
        var newKey = TestKeys.Ed25519("director-root-2");
        var next = s.Director.Root with { Version = 2, Keys = SampleMetadata.KeysOf(newKey, s.Director.TargetsKey), Roles = s.Director.Root.Roles.SetItem("root", SampleMetadata.RoleOf(1, newKey)) };
        s.Director.Source["2.root.json"] = MetadataSigning.Sign(next, s.Director.RootKey).ToBytes(); // old key only
        AssertAt(s.Refused(ThresholdNotMet), 1, "root", "2.root.json");
    }

    [Fact]
    public void Root_walk_needs_exactly_the_next_version()
    {
        var s = Assigned(out _);
        s.Director.Source["2.root.json"] = MetadataSigning.Sign(s.Director.Root with { Version = 3 }, s.Director.RootKey).ToBytes();
        AssertAt(s.Refused(RootChainBroken), 1, "root", "2.root.json");
    }

    [Fact]
    public void Root_walk_refuses_an_oversized_or_malformed_root_and_a_root_without_the_targets_role()
    {
        var s = Assigned(out _);
        s.Director.Source["2.root.json"] = new byte[UpdateMetadataLimits.DefaultMaxRootBytes + 1];
        s.Refused(MetadataTooLarge);
        s.Director.Source["2.root.json"] = "{\"signatures\":[]}"u8.ToArray();
        s.Refused(MetadataMalformed);
        var noTargets = s.Director.Root with { Version = 2, Roles = new EquatableMap<RoleKeys>([KeyValuePair.Create("root", s.Director.Root.Roles["root"])]) };
        s.Director.Source["2.root.json"] = MetadataSigning.Sign(noTargets, s.Director.RootKey).ToBytes();
        Assert.Equal("$.signed.roles.targets", s.Refused(MetadataMalformed).Path);
    }

    [Fact]
    public void The_last_root_must_not_have_expired_but_intermediate_ones_may()
    {
        var s = Assigned(out var a);
        s.Clock.Advance(TimeSpan.FromDays(366)); // root 1 expired
        s.Director.Source["2.root.json"] = null;
        Assert.Equal("1.root.json", s.Refused(MetadataExpired).File);

        s.Director.RotateRoot(); // root 2, valid for a year from now
        s.Repository.RotateRoot(r => r);
        s.Repository.RepublishAll();
        s.NewNonce();
        s.Assign(a);
        s.Installs();
    }

    [Fact]
    public void The_walk_stops_at_the_rotation_cap_and_resumes_next_cycle()
    {
        var s = Assigned(out _);
        for (var i = 0; i < 5; i++) s.Director.RotateRoot();
        s.Limits = s.Limits with { MaxRootRotations = 2 };
        s.Check();
        Assert.Equal(3, s.State.DirectorRoot.Signed.Version);
        s.Check();
        Assert.Equal(5, s.State.DirectorRoot.Signed.Version);
        s.Installs();
        Assert.Equal(6, s.State.DirectorRoot.Signed.Version);
    }

    [Fact]
    public void Director_targets_need_a_threshold_of_the_director_targets_keys()
    {
        var s = Assigned(out _);
        s.Director.Source.Resign<TargetsMetadata>("targets.json", d => d, s.Repository.CompilerKey);
        AssertAt(s.Refused(ThresholdNotMet), 2, "targets", "targets.json");
    }

    [Fact]
    public void Director_targets_must_not_have_expired()
    {
        var s = Assigned(out _);
        s.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(5));
        AssertAt(s.Refused(MetadataExpired), 2, "targets");
    }

    [Fact]
    public void Director_expiry_tolerates_the_documented_skew()
    {
        var s = Assigned(out _);
        s.Repository.TimestampLife = TimeSpan.FromDays(2);
        s.Repository.PublishTimestamp();
        s.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(4));
        Assert.NotNull(s.Check().Update);
    }

    [Fact]
    public void Director_versions_only_move_forward()
    {
        var s = Assigned(out var a);
        var v1 = s.Director.Source["targets.json"]!;
        s.Installs();
        s.NewNonce();
        s.Assign(a);
        s.Check();
        s.Director.Source["targets.json"] = v1;
        AssertAt(s.Refused(RollbackVersion), 2, "targets");
    }

    [Fact]
    public void An_equal_version_with_other_content_is_a_rollback()
    {
        var s = Assigned(out var a);
        s.Installs();
        s.Director.Source.Resign<TargetsMetadata>("targets.json", d => d with { Expires = d.Expires.AddHours(1) }, s.Director.TargetsKey);
        Assert.Contains("other content", s.Refused(RollbackVersion).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Director_targets_for_another_device_class_or_nonce_are_refused()
    {
        var s = Assigned(out var a);
        s.Director.Assign("atym-ffffffffffffffff", s.DeviceClass, s.Nonce, a);
        Assert.Equal("$.signed.custom.deviceId", s.Refused(WrongDevice).Path);
        s.Director.Assign(UpdateScenario.DeviceId, "mcu-cortex-m33", s.Nonce, a);
        Assert.Equal("$.signed.custom.deviceClass", s.Refused(WrongClass).Path);
        s.Director.Assign(UpdateScenario.DeviceId, s.DeviceClass, "nonce-not-from-this-device", a);
        Assert.Equal("$.signed.custom.nonce", s.Refused(StaleNonce).Path);
    }

    [Fact]
    public void The_in_flight_nonce_and_the_acknowledged_one_are_both_accepted()
    {
        var s = Assigned(out var a);
        var acknowledged = s.Nonce;
        s.AcceptedNonces.Add("nonce-in-flight-000001");
        Assert.NotNull(s.Check().Update);
        s.Director.Assign(UpdateScenario.DeviceId, s.DeviceClass, "nonce-in-flight-000001", a);
        Assert.NotNull(s.Check().Update);
        Assert.Contains(acknowledged, s.AcceptedNonces);
    }

    [Fact]
    public void Director_targets_never_delegate_and_name_each_container_once()
    {
        var s = Assigned(out var a);
        var document = s.Director.Document(UpdateScenario.DeviceId, s.DeviceClass, s.Nonce, a) with
        {
            Delegations = new Delegations(EquatableMap<TufKey>.Empty, EquatableList<DelegatedRole>.Empty),
        };
        s.Director.Publish(document, s.Director.TargetsKey);
        Assert.Equal("$.signed.delegations", s.Refused(MetadataMalformed).Path);

        var again = a with { Bundle = [.. a.Bundle, 1] };
        s.Director.Assign(UpdateScenario.DeviceId, s.DeviceClass, s.Nonce, a, again);
        Assert.Contains("assigned twice", s.Refused(MetadataMalformed).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Director_targets_name_only_containers_of_the_partition_table()
    {
        var s = Assigned(out _);
        var unknown = s.Release(s.ReleaseOf("1.0.0", 1, container: "sensor-unknown"));
        s.Assign(unknown);
        Assert.EndsWith(".custom.container", s.Refused(UnknownContainer).Path, StringComparison.Ordinal);
    }

    [Fact]
    public void A_director_target_for_another_class_is_refused()
    {
        var s = Assigned(out var a);
        s.Assign(a with { Release = a.Release with { DeviceClass = "mcu-cortex-m33" } });
        Assert.EndsWith(".custom.deviceClass", s.Refused(WrongClass).Path, StringComparison.Ordinal);
    }

    [Fact]
    public void A_director_target_path_must_be_its_bundle_path()
    {
        var s = Assigned(out var a);
        var document = s.Director.Document(UpdateScenario.DeviceId, s.DeviceClass, s.Nonce, a);
        var entry = document.Targets.Single();
        s.Director.Publish(document with { Targets = new EquatableMap<TargetFile>([KeyValuePair.Create("bundles/other/x.bundle", entry.Value)]) }, s.Director.TargetsKey);
        s.Refused(MetadataMalformed);
    }

    [Fact]
    public void Missing_oversized_or_unreachable_director_targets_are_refused()
    {
        var s = Assigned(out _);
        s.Director.Source["targets.json"] = new byte[UpdateMetadataLimits.DefaultMaxDirectorTargetsBytes + 1];
        s.Refused(MetadataTooLarge);
        s.Director.Source["targets.json"] = null;
        s.Refused(MetadataMissing);
        var state = s.State;
        var failing = new UpdateVerifier(s.Clock).Check(state, new UpdateSources(new FailingSource(), s.Repository.Source), s.Device);
        Assert.Equal(DownloadFailed, failing.Refusal!.Code);
    }

    private sealed class FailingSource : IMetadataSource
    {
        public byte[]? Fetch(string name, long maxBytes) => throw new IOException("connection reset");
    }
}
