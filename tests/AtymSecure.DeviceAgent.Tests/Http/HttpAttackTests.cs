using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Tests.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Primitives;
using static AtymSecure.Formats.ReasonCodes;

namespace AtymSecure.DeviceAgent.Tests.Http;

/// <summary>
/// The attacks of issue 13 §4 that the verifier-level <c>AttackTests</c> cover, now on a production device over real
/// loopback HTTP against a server that serves crafted metadata (docs/trust-model.md §5). Each device first runs a
/// confirmed 1.0.0; the attack offers 1.1.0 (or something worse) and must leave it on 1.0.0 with a specific reason in its
/// version report, no bundle fetched (endless data: the one bundle fetched is cut off at its signed length) and every
/// slot byte unchanged (<see cref="AttackPhase"/>).
/// </summary>
public sealed class HttpAttackTests : IAsyncDisposable
{
    private readonly ProductionDevice _device = ProductionDevice.Create();

    public ValueTask DisposeAsync() => _device.DisposeAsync();

    private TestImageRepository Repository => _device.World.Repository;

    private TestDirector Director => _device.World.Director;

    private async Task<AttackPhase> Running()
    {
        await _device.RunConfirmed(ProductionDevice.ImageAt("1.0.0"));
        return AttackPhase.Begin(_device);
    }

    [Theory]
    [InlineData("timestamp")]
    [InlineData("snapshot")]
    public async Task Fast_forward_a_stolen_online_key_inflates_versions_until_a_root_rotation_drops_the_inflated_files(string stolen)
    {
        // The attacker holds the key from the start and signs version 1,000,000 (a stolen snapshot key comes with the
        // timestamp key, or no timestamp would list it): the device accepts it, it is signed, and installs what the
        // director names.
        var v1 = ProductionDevice.ImageAt("1.0.0");
        var first = _device.Release(v1);
        var (timestamp, snapshot) = (Repository.TimestampVersion, Repository.SnapshotVersion);
        _device.Server.Change(() =>
        {
            if (stolen == "timestamp") Repository.PublishTimestamp(version: 1_000_000);
            else Repository.PublishSnapshot(version: 1_000_000);
        });
        _device.Server.Assign(first);
        await _device.RunUntil(() => _device.ReportsConfirmed(v1), "1.0.0 confirmed");
        long Inflated(Formats.UpdateMetadata.Verification.TrustedState state) =>
            stolen == "timestamp" ? state.ImageTimestamp!.Signed.Version : state.ImageSnapshot!.Signed.Version;
        Assert.Equal(1_000_000, Inflated(_device.StoredTrust().Metadata));

        // Every real version now looks like a rollback: the device is frozen on 1.0.0.
        var attack = AttackPhase.Begin(_device);
        var next = _device.Release(ProductionDevice.ImageAt("1.1.0"));
        _device.Server.Change(() =>
        {
            if (stolen == "timestamp") Repository.PublishTimestamp(version: timestamp + 1);
            else Repository.PublishSnapshot(version: snapshot + 1);
        });
        _device.Server.Assign(next);
        var refusal = await attack.RunUntilRefused(RollbackVersion, 5, "timestamp");
        Assert.Contains("1000000", refusal.Detail, StringComparison.Ordinal);

        // Recovery: the operator rotates the stolen key in root 2. Step 4 sees the changed role and deletes the stored
        // timestamp and snapshot (TUF 5.3.11), so the real, lower versions are accepted and the update goes through.
        _device.Server.Change(() =>
        {
            if (stolen == "timestamp") Repository.TimestampKey = TestKeys.Ed25519("image-timestamp-2");
            else Repository.SnapshotKey = TestKeys.Ed25519("image-snapshot-2");
            Repository.RotateRoot(root => root);
            if (stolen == "timestamp") Repository.PublishTimestamp(version: timestamp + 2);
            else Repository.PublishSnapshot(version: snapshot + 2);
        });
        await _device.RunUntil(() => _device.ReportsConfirmed(ProductionDevice.ImageAt("1.1.0")), "1.1.0 confirmed after the rotation");
        var stored = _device.StoredTrust().Metadata;
        Assert.Equal((2, (stolen == "timestamp" ? timestamp : snapshot) + 2), (stored.ImageRoot.Signed.Version, Inflated(stored)));
    }

    [Theory]
    [InlineData("snapshot", 6)]
    [InlineData("compiler", 8)]
    public async Task Mix_and_match_a_file_from_an_older_snapshot_is_snapshot_mismatch(string role, int step)
    {
        var attack = await Running();
        var name = role == "snapshot" ? "snapshot" : Repository.Compiler;
        string Current() => $"{(role == "snapshot" ? Repository.SnapshotVersion : Repository.VersionOf(name))}.{name}.json";
        var old = Repository.Source[Current()]!;
        var next = _device.Release(ProductionDevice.ImageAt("1.1.0"));
        // The new timestamp (or snapshot) names the new file; the attacker serves the old one under its name.
        _device.Server.Change(() => Repository.Source[Current()] = old);
        _device.Server.Assign(next);

        await attack.RunUntilRefused(SnapshotMismatch, step, name);
    }

    [Theory]
    [InlineData("hash")]
    [InlineData("length")]
    public async Task Mix_and_match_the_director_names_a_listed_image_with_another_hash_or_length(string field)
    {
        var attack = await Running();
        var next = _device.Release(ProductionDevice.ImageAt("1.1.0"));
        // Another hash is another image path, which nothing lists; another length disagrees with the listing.
        _device.Server.Assign(field == "hash"
            ? next with { ImageSha256 = TestImageRepository.Hex("another image"u8.ToArray()) }
            : next with { ImageLength = next.ImageLength + 1 });

        if (field == "hash") await attack.RunUntilRefused(TargetNotListed, 8, null);
        else await attack.RunUntilRefused(TargetMismatch, 9, Repository.Compiler);
    }

    [Fact]
    public async Task Below_threshold_an_image_root_of_threshold_two_with_one_valid_new_signature_is_refused()
    {
        var attack = await Running();
        var next = _device.Release(ProductionDevice.ImageAt("1.1.0"));
        var old = Repository.RootKeys;
        var (a, b) = (TestKeys.Ed25519("image-root-a"), TestKeys.Ed25519("image-root-b"));
        _device.Server.Change(() =>
        {
            Repository.RootThreshold = 2;
            // Root 2 needs two of {a, b}; it carries the old root key's signature and a's only.
            Repository.RotateRoot(root => root, [a, b], signers: [.. old, a]);
        });
        _device.Server.Assign(next);

        await attack.RunUntilRefused(ThresholdNotMet, 4, "root");
        Assert.Equal(1, _device.StoredTrust().Metadata.ImageRoot.Signed.Version);
    }

    [Fact]
    public async Task Below_threshold_a_snapshot_of_threshold_two_signed_by_one_key_is_refused()
    {
        var attack = await Running();
        var next = _device.Release(ProductionDevice.ImageAt("1.1.0"));
        var second = TestKeys.Ed25519("image-snapshot-b");
        _device.Server.Change(() =>
        {
            var keys = Repository.Root.Keys.SetItem(second.PublicKey.KeyId, second.PublicKey);
            Repository.RotateRoot(root => root with { Keys = keys, Roles = root.Roles.SetItem("snapshot", SampleMetadata.RoleOf(2, Repository.SnapshotKey, second)) });
            Repository.PublishSnapshot(); // signed by the first snapshot key only
        });
        _device.Server.Assign(next);

        await attack.RunUntilRefused(ThresholdNotMet, 6, "snapshot");
        Assert.Equal(2, _device.StoredTrust().Metadata.ImageRoot.Signed.Version); // the valid root 2 is kept
    }

    [Fact]
    public async Task Revoked_a_timestamp_key_that_a_root_rotation_removed_signs_nothing()
    {
        var attack = await Running();
        var next = _device.Release(ProductionDevice.ImageAt("1.1.0"));
        _device.Server.Change(() =>
        {
            var revoked = Repository.TimestampKey;
            Repository.TimestampKey = TestKeys.Ed25519("image-timestamp-2");
            Repository.RotateRoot(root => root);
            Repository.PublishTimestamp(key: revoked); // the holder of the removed key still signs a timestamp
        });
        _device.Server.Assign(next);

        await attack.RunUntilRefused(ThresholdNotMet, 5, "timestamp");
        Assert.Equal(2, _device.StoredTrust().Metadata.ImageRoot.Signed.Version);
    }

    [Fact]
    public async Task Revoked_a_director_targets_key_that_a_director_root_rotation_removed_signs_nothing()
    {
        var attack = await Running();
        var next = _device.Release(ProductionDevice.ImageAt("1.1.0"));
        var revoked = Director.TargetsKey;
        _device.Server.Change(() => Director.RotateRoot(newTargetsKey: TestKeys.Ed25519("director-targets-2")));
        _device.Server.DirectorDocument = nonce => Director.Publish(Director.Document(_device.World.DeviceId, _device.World.DeviceClass, nonce, next), revoked);
        _device.Server.Assign(next);

        await attack.RunUntilRefused(ThresholdNotMet, 2, "targets");
        Assert.Equal(2, _device.StoredTrust().Metadata.DirectorRoot.Signed.Version);
    }

    [Fact]
    public async Task Revoked_a_compiler_key_that_new_delegations_removed_signs_no_image_listing()
    {
        var attack = await Running();
        // 1.1.0 is listed in a compiler file signed by the current compiler key...
        var next = _device.Release(ProductionDevice.ImageAt("1.1.0"));
        _device.Server.Change(() =>
        {
            // ...then the offline targets key delegates compiler-CLASS to a new key. The file the old key signed is what
            // is still served (the holder of the removed key keeps signing it).
            Repository.CompilerKey = TestKeys.Ed25519("compiler-2");
            Repository.ChangeTopLevel(t => t with { Delegations = Repository.CurrentDelegations() });
            Repository.Publish();
        });
        _device.Server.Assign(next);

        await attack.RunUntilRefused(ThresholdNotMet, 8, Repository.Compiler);
    }

    [Theory]
    [InlineData("counter", TargetNotListed, 8)]
    [InlineData("codeKind", TargetMismatch, 9)]
    [InlineData("older", CounterRollback, 9)]
    public async Task A_compromised_director_key_alone_cannot_install_what_the_image_repository_does_not_list(string lie, string code, int step)
    {
        var attack = await Running();
        // The director's key signs whatever it likes, but only about images the image repository lists.
        var assignment = lie switch
        {
            // A listed 1.1.0 claimed with a higher counter: the counter is part of the image path.
            "counter" => _device.Release(ProductionDevice.ImageAt("1.1.0")) is var a ? a with { Release = a.Release with { SecurityCounter = a.Release.SecurityCounter + 1000 } } : null,
            // A listed Wasm image claimed as native code.
            "codeKind" => _device.Release(ProductionDevice.ImageAt("1.1.0")) is var b ? b with { Release = b.Release with { CodeKind = ArtifactKind.WasmtimeNative } } : null,
            // A listed older release below the counter floor of the confirmed 1.0.0.
            _ => _device.Release(ProductionDevice.ImageAt("0.9.0")),
        };
        _device.Server.Assign(assignment!);

        await attack.RunUntilRefused(code, step, step == 8 ? null : Repository.Compiler);
    }

    [Fact]
    public async Task Compromised_image_repository_online_keys_alone_cannot_point_the_device_at_anything()
    {
        var attack = await Running();
        // With the snapshot, timestamp and compiler keys the attacker lists its own 6.6.6 for this container. The
        // director names nothing new, so the device never even looks: it stays up to date and fetches nothing.
        var evil = TestBundles.Image(ProductionDevice.Container, edit: c => c with { Version = Formats.Container.SemanticVersion.Parse("6.6.6") });
        _device.Server.Change(() =>
        {
            Repository.AddRelease(_device.ReleaseOf(evil), evil, "evil wasm"u8.ToArray());
            Repository.Publish();
        });
        int Polls() => _device.Server.Requests.Count(r => r.Path.EndsWith("/poll", StringComparison.Ordinal));
        var polls = Polls();
        await _device.RunUntil(() => attack.Reports.Any() && Polls() > polls + 4, "a report and some polls");
        Assert.All(attack.Reports, r => Assert.Null(r.LastRefusal));
        attack.AssertUnchanged();

        // When the director does name 1.1.0, the attacker swaps the listing at its path for the evil image.
        var next = _device.Release(ProductionDevice.ImageAt("1.1.0"));
        _device.Server.Change(() =>
        {
            Repository.AddTarget(Repository.Compiler, TargetPaths.Image(next.Release, next.ImageSha256), TargetFile.Describe(evil,
                new ImageTargetCustom(next.Release, "sha256:" + TestImageRepository.Hex("evil wasm"u8.ToArray())).ToJson()));
            Repository.Publish();
        });
        _device.Server.Assign(next);

        var refusal = await attack.RunUntilRefused(TargetMismatch, 9, Repository.Compiler);
        Assert.Contains(Digest.Compute(evil).ToString()["sha256:".Length..], refusal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Arbitrary_software_the_image_repository_does_not_list_is_refused()
    {
        var attack = await Running();
        var listed = _device.Release(ProductionDevice.ImageAt("1.1.0"));
        // The director names a bundle for an image sha256 the repository never listed.
        _device.Server.Assign(listed with { ImageSha256 = new string('e', 64) });

        await attack.RunUntilRefused(TargetNotListed, 8, null);
    }

    [Fact]
    public async Task Director_metadata_for_another_device_is_wrong_device()
    {
        var attack = await Running();
        var next = _device.Release(ProductionDevice.ImageAt("1.1.0"));
        _device.Server.DirectorDocument = nonce => Director.Assign("atym-ffffffffffffffff", _device.World.DeviceClass, nonce, next);
        _device.Server.Assign(next);

        var refusal = await attack.RunUntilRefused(WrongDevice, 2, "targets");
        Assert.Contains("atym-ffffffffffffffff", refusal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Director_metadata_for_another_device_class_is_wrong_class()
    {
        var attack = await Running();
        var next = _device.Release(ProductionDevice.ImageAt("1.1.0"));
        var otherClass = _device.World.DeviceClass == "portable-pulley64" ? "linux-x86_64" : "portable-pulley64";
        _device.Server.DirectorDocument = nonce => Director.Assign(_device.World.DeviceId, otherClass, nonce, next);
        _device.Server.Assign(next);

        var refusal = await attack.RunUntilRefused(WrongClass, 2, "targets");
        Assert.Contains(otherClass, refusal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Freeze_expired_director_metadata_is_refused()
    {
        var attack = await Running();
        var next = _device.Release(ProductionDevice.ImageAt("1.1.0"));
        // The director's documents from now on expired ten minutes before they were signed: a frozen director.
        _device.Server.Change(() => Director.TargetsLife = TimeSpan.FromMinutes(-10));
        _device.Server.Assign(next);

        await attack.RunUntilRefused(MetadataExpired, 2, "targets");
    }

    [Fact]
    public async Task Replayed_director_metadata_echoing_an_old_nonce_is_stale_nonce()
    {
        var attack = await Running();
        var next = _device.Release(ProductionDevice.ImageAt("1.1.0"));
        // Signed by the real director key, but answering a report this device never sent (or sent long ago).
        _device.Server.DirectorDocument = _ => Director.Assign(_device.World.DeviceId, _device.World.DeviceClass, "bm9uY2Utb2YtYW4tb2xkLXJlcG9ydA", next);
        _device.Server.Assign(next);

        await attack.RunUntilRefused(StaleNonce, 2, "targets");
    }

    [Fact]
    public async Task Rollback_an_older_director_document_than_the_one_stored_is_rollback_version()
    {
        await _device.RunConfirmed(ProductionDevice.ImageAt("1.0.0"));
        // The device accepted director version 50 before this power-on (its trust store holds it).
        using (var opened = LocalDevice.Open(new DeviceDirectory(_device.Data).Root))
        {
            var trust = opened.Trust!.Load();
            var v50 = Director.Publish(Director.Document(_device.World.DeviceId, _device.World.DeviceClass, "bm9uY2UtYWNjZXB0ZWQtYmVmb3Jl") with { Version = 50 }, Director.TargetsKey);
            opened.Trust.Save(trust with { Metadata = trust.Metadata with { DirectorTargets = SignedMetadata<TargetsMetadata>.Parse(v50) } });
        }
        var attack = AttackPhase.Begin(_device);
        var next = _device.Release(ProductionDevice.ImageAt("1.1.0"));
        // The server (or a replaying network) now serves versions from 1 on, each naming 1.1.0.
        var version = 0L;
        _device.Server.DirectorDocument = nonce => Director.Publish(
            Director.Document(_device.World.DeviceId, _device.World.DeviceClass, nonce, next) with { Version = Interlocked.Increment(ref version) }, Director.TargetsKey);
        _device.Server.Assign(next);

        await attack.RunUntilRefused(RollbackVersion, 2, "targets");
        Assert.Equal(50, _device.StoredTrust().Metadata.DirectorTargets!.Signed.Version);
    }

    [Fact]
    public async Task Endless_bundle_data_is_length_exceeded_before_the_bootloader_sees_a_byte()
    {
        var attack = await Running();
        var next = _device.Release(ProductionDevice.ImageAt("1.1.0"));
        var path = "/bundles/sha256/" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(next.Bundle));
        _device.Server.Misbehave = async e =>
        {
            if (e.Path != path) return false;
            await e.RawAsync(200, [], [.. next.Bundle, .. new byte[64 * 1024]]); // no length, and more than signed
            return true;
        };
        _device.Server.Assign(next);

        var refusal = await attack.RunUntilRefused(LengthExceeded, 11, "director", bundleFetched: true);
        Assert.Contains(next.Bundle.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), refusal.Detail, StringComparison.Ordinal);
        Assert.All(attack.BundleRequests, r => Assert.Equal(path, r.Path));
    }

    [Theory]
    [InlineData("unlisted")]
    [InlineData("other source")]
    public async Task A_stolen_compiler_key_cannot_ship_an_image_whose_source_the_vendor_did_not_list(string lie)
    {
        var attack = await Running();
        var image = ProductionDevice.ImageAt("1.1.0");
        var release = _device.ReleaseOf(image);
        var bundle = File.ReadAllBytes(_device.Bundles.Full(image, _device.World.DeviceClass));
        TestDirector.Assignment next = null!;
        _device.Server.Change(() =>
        {
            // The compiler key lists 1.1.0 and signs its bundle; the vendor never listed its source, or listed other Wasm.
            var sha = Repository.AddRelease(release, image, "wasm sensor-filter 1.1.0"u8.ToArray(), listSource: lie != "unlisted");
            if (lie == "other source")
                Repository.AddTarget(Repository.Compiler, TargetPaths.Image(release, sha),
                    TargetFile.Describe(image, new ImageTargetCustom(release, "sha256:" + TestImageRepository.Hex("tampered wasm"u8.ToArray())).ToJson()));
            Repository.Publish();
            next = new TestDirector.Assignment(release, sha, image.Length, bundle);
        });
        _device.Server.Assign(next);

        await attack.RunUntilRefused(SourceNotListed, 10, lie == "unlisted" ? null : TestImageRepository.Vendor);
    }

    [Fact]
    public async Task A_malicious_vendor_ships_native_code_under_its_own_key_and_it_is_native_not_from_compiler()
    {
        var attack = await Running();
        using var vendor = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        // A real .cwasm of 1.1.0, listed as an image, named by the director; the bundle is signed by the vendor's key,
        // which the verified vendor delegation lists (for sources), not by the compiler.
        var native = TestBundles.NativeImage(ProductionDevice.Container, _device.World.DeviceClass, c => c with { Version = Formats.Container.SemanticVersion.Parse("1.1.0") });
        var release = _device.ReleaseOf(native) with { CodeKind = ArtifactKind.WasmtimeNative };
        var bundle = File.ReadAllBytes(_device.Bundles.Full(native, _device.World.DeviceClass, signer: vendor));
        TestDirector.Assignment next = null!;
        _device.Server.Change(() =>
        {
            Repository.VendorKey = new Formats.UpdateMetadata.Signing.EcdsaP256MetadataSigner(vendor);
            Repository.ChangeTopLevel(t => t with { Delegations = Repository.CurrentDelegations() });
            next = _device.World.Release(release, native, bundle);
        });
        _device.Server.Assign(next);

        await _device.RunUntil(() => attack.Reports.Any(r => r.Containers.Single().LastInstall?.Code == NativeNotFromCompiler), "a report of the install refused");

        var install = attack.Reports.Last(r => r.Containers.Single().LastInstall is not null).Containers.Single().LastInstall!;
        Assert.Equal("refused", install.Result);
        Assert.Contains("WasmtimeNative", install.Detail, StringComparison.Ordinal);
        attack.AssertUnchanged(bundleFetched: true);
    }
}
