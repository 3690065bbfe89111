using System.Security.Cryptography;
using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.DeviceAgent.Trust;
using AtymSecure.Formats;
using AtymSecure.Formats.UpdateMetadata.Verification;

namespace AtymSecure.DeviceAgent.Tests.Trust;

/// <summary>The trust store (docs/trust-model.md §4): round trips, one atomic commit, never backwards, tampering is recovery.</summary>
public sealed class TrustStoreTests : IDisposable
{
    private readonly TempFolder _temp = TempFolder.Create("trust-store");
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly MetadataWorld _world = new();

    public void Dispose() => _temp.Dispose();

    private DeviceDirectory Device => new(_temp.File("device"));

    private string StateFile => Path.Combine(TrustStore.TrustDirectory(Device), "state");

    private string[] MetadataFiles => [.. Directory.EnumerateFiles(Path.Combine(TrustStore.TrustDirectory(Device), "metadata")).Order(StringComparer.Ordinal)];

    /// <summary>A device that verified one update: every role stored, nonces in use.</summary>
    private StoredTrust Updated(StoredTrust provisioned, string nonce = "nonce-0000000000000001")
    {
        var assignment = _world.Release(_world.ReleaseOf("sensor-filter", "1.0.0", 1), "image 1.0.0"u8.ToArray(), "bundle 1.0.0"u8.ToArray());
        _world.Assign(nonce, assignment);
        var check = _world.Check(provisioned.Metadata, _world.Device(provisioned.Nonces.Sent(nonce), ("sensor-filter", new InstalledContainer(0))));
        Assert.NotNull(check.Update);
        return new StoredTrust(check.State, provisioned.Nonces.Sent(nonce));
    }

    [Fact]
    public void A_provisioned_store_reads_back_the_roots_and_the_time_floor()
    {
        TrustStore.Create(Device, _key, _world.Provisioned());

        var loaded = TrustStore.Open(Device, _key)!.Load();

        Assert.Equal(_world.Provisioned(), loaded.Metadata);
        Assert.Equal(ReportNonces.None, loaded.Nonces);
        Assert.Equal(MetadataWorld.Start, loaded.Metadata.TimeFloor);
    }

    [Fact]
    public void A_verified_cycle_persists_every_role_the_nonces_and_the_floor_and_only_the_files_it_names_remain()
    {
        var store = TrustStore.Create(Device, _key, _world.Provisioned());
        var updated = Updated(StoredTrust.Provisioned(_world.Provisioned()));
        store.Save(updated);

        var loaded = TrustStore.Open(Device, _key)!.Load();

        Assert.Equal(updated, loaded);
        Assert.NotNull(loaded.Metadata.ImageTimestamp);
        Assert.NotNull(loaded.Metadata.ImageSnapshot);
        Assert.NotNull(loaded.Metadata.DirectorTargets);
        Assert.Equal(5, MetadataFiles.Length); // two roots, timestamp, snapshot, director targets
    }

    [Fact]
    public void Without_a_trust_folder_the_device_is_a_development_device()
    {
        Directory.CreateDirectory(Device.Root);
        Assert.False(TrustStore.IsProvisioned(Device));
        Assert.Null(TrustStore.Open(Device, _key));
    }

    [Theory]
    [InlineData("files")]
    [InlineData("state")]
    public void A_power_cut_before_the_commit_leaves_the_old_state_whole(string step)
    {
        var store = TrustStore.Create(Device, _key, _world.Provisioned());
        var before = TrustStore.Open(Device, _key)!.Load();
        store.BeforeStep = s =>
        {
            if (s == step) throw new IOException("power cut");
        };

        Assert.Throws<IOException>(() => store.Save(Updated(before)));

        Assert.Equal(before, TrustStore.Open(Device, _key)!.Load());
    }

    [Fact]
    public void A_power_cut_while_a_metadata_file_is_written_leaves_the_old_state_and_the_next_save_completes()
    {
        var store = TrustStore.Create(Device, _key, _world.Provisioned());
        var before = TrustStore.Open(Device, _key)!.Load();
        var next = Updated(before);
        // What a cut mid-write leaves: a temp file beside the others, never a named file.
        File.WriteAllBytes(Path.Combine(TrustStore.TrustDirectory(Device), "metadata", ".x.json.tmp-0123"), [1, 2, 3]);
        store.BeforeStep = s =>
        {
            if (s == "state") throw new IOException("power cut");
        };
        Assert.Throws<IOException>(() => store.Save(next));
        Assert.Equal(before, TrustStore.Open(Device, _key)!.Load());

        var again = TrustStore.Open(Device, _key)!;
        again.Load();
        again.Save(next);
        Assert.Equal(next, TrustStore.Open(Device, _key)!.Load());
        Assert.Equal(5, MetadataFiles.Length);
    }

    [Fact]
    public void A_power_cut_after_the_commit_leaves_the_new_state_and_the_next_save_removes_the_stale_files()
    {
        var store = TrustStore.Create(Device, _key, _world.Provisioned());
        var first = Updated(StoredTrust.Provisioned(_world.Provisioned()));
        store.Save(first);
        // A second assignment: a new director document replaces the first one's file.
        _world.Assign(first.Nonces.InFlight!);
        var check = _world.Check(first.Metadata, _world.Device(first.Nonces, ("sensor-filter", new InstalledContainer(1))));
        Assert.Null(check.Refusal);
        var second = first with { Metadata = check.State };
        store.BeforeStep = s =>
        {
            if (s == "clean") throw new IOException("power cut");
        };

        Assert.Throws<IOException>(() => store.Save(second));

        Assert.Equal(second, TrustStore.Open(Device, _key)!.Load());
        Assert.Equal(6, MetadataFiles.Length);
        store.BeforeStep = null;
        store.Save(second);
        Assert.Equal(5, MetadataFiles.Length);
    }

    [Fact]
    public void Saving_a_state_that_moves_a_floor_back_is_refused_and_changes_nothing()
    {
        var store = TrustStore.Create(Device, _key, _world.Provisioned());
        var updated = Updated(StoredTrust.Provisioned(_world.Provisioned()));
        store.Save(updated);
        var reopened = TrustStore.Open(Device, _key)!;
        reopened.Load();

        var olderFloor = updated with { Metadata = updated.Metadata with { TimeFloor = updated.Metadata.TimeFloor - TimeSpan.FromHours(1) } };
        Assert.Throws<InvalidOperationException>(() => reopened.Save(olderFloor));
        var noTimestamp = updated with { Metadata = updated.Metadata with { ImageTimestamp = null } };
        Assert.Throws<InvalidOperationException>(() => reopened.Save(noTimestamp));
        Assert.Throws<InvalidOperationException>(() => reopened.Save(StoredTrust.Provisioned(_world.Provisioned())));

        Assert.Equal(updated, TrustStore.Open(Device, _key)!.Load());
    }

    [Fact]
    public void A_tampered_state_file_is_recovery_state()
    {
        TrustStore.Create(Device, _key, _world.Provisioned());
        var bytes = File.ReadAllBytes(StateFile);
        bytes[10] ^= 0x01;
        File.WriteAllBytes(StateFile, bytes);

        var e = Assert.Throws<TrustStoreDamagedException>(() => TrustStore.Open(Device, _key)!.Load());
        Assert.True(e.Has(ReasonCodes.RecoveryState));
        Assert.Contains("MAC", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_store_read_with_another_devices_key_is_recovery_state()
    {
        TrustStore.Create(Device, _key, _world.Provisioned());
        var e = Assert.Throws<TrustStoreDamagedException>(() => TrustStore.Open(Device, RandomNumberGenerator.GetBytes(32))!.Load());
        Assert.Contains("MAC", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_replaced_or_missing_metadata_file_is_recovery_state()
    {
        TrustStore.Create(Device, _key, _world.Provisioned());
        var file = MetadataFiles[0];
        var original = File.ReadAllBytes(file);
        var changed = (byte[])original.Clone();
        changed[^2] ^= 0x20;
        File.WriteAllBytes(file, changed);
        Assert.Contains("digest", Assert.Throws<TrustStoreDamagedException>(() => TrustStore.Open(Device, _key)!.Load()).Message, StringComparison.Ordinal);

        File.Delete(file);
        Assert.Contains("missing", Assert.Throws<TrustStoreDamagedException>(() => TrustStore.Open(Device, _key)!.Load()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deleted_state_file_is_recovery_state_not_a_new_device()
    {
        TrustStore.Create(Device, _key, _world.Provisioned());
        File.Delete(StateFile);
        Assert.Contains("missing", Assert.Throws<TrustStoreDamagedException>(() => TrustStore.Open(Device, _key)!.Load()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_oversized_state_file_is_refused_before_it_is_read()
    {
        TrustStore.Create(Device, _key, _world.Provisioned());
        File.WriteAllBytes(StateFile, new byte[TrustManifest.MaxBytes + 66]);
        Assert.Contains("above", Assert.Throws<TrustStoreDamagedException>(() => TrustStore.Open(Device, _key)!.Load()).Message, StringComparison.Ordinal);
    }
}
