using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.DeviceAgent.Trust;
using AtymSecure.Formats.UpdateMetadata.Verification;

namespace AtymSecure.DeviceAgent.Tests.Trust;

/// <summary>
/// A trust store of format 1 as a production device wrote it after one verified update (Trust/Golden/trust-v1, committed
/// once and kept forever): today's reader must load it to the same values and today's writer must produce the same bytes.
/// Made from <see cref="MetadataWorld"/> (deterministic keys, fixed clock) and the bootloader key 32 × 0x42.
/// </summary>
public sealed class TrustStoreGoldenTests : IDisposable
{
    internal static readonly byte[] GoldenKey = Enumerable.Repeat((byte)0x42, 32).ToArray();
    internal static readonly string GoldenStore = Path.Combine(AppContext.BaseDirectory, "Trust", "Golden", "trust-v1");
    private readonly TempFolder _temp = TempFolder.Create("trust-golden");

    public void Dispose() => _temp.Dispose();

    /// <summary>The state the golden holds: provisioned at the world's start, one update verified an hour later, its report in flight.</summary>
    internal static StoredTrust GoldenState()
    {
        var world = new MetadataWorld();
        var provisioned = world.Provisioned();
        world.Clock.Advance(TimeSpan.FromHours(1));
        const string nonce = "nonce-golden-0000000001";
        world.Assign(nonce, world.Release(world.ReleaseOf("sensor-filter", "1.0.0", 1), "image 1.0.0"u8.ToArray(), "bundle 1.0.0"u8.ToArray()));
        var nonces = new ReportNonces("nonce-golden-0000000000", nonce);
        var check = world.Check(provisioned, world.Device(nonces, ("sensor-filter", new InstalledContainer(0))));
        Assert.NotNull(check.Update);
        return new StoredTrust(check.State, nonces, OfflineDirectorVersion: 3);
    }

    /// <summary>A copy of the golden device folder (the store is read from <c>trust/</c> under it).</summary>
    internal static DeviceDirectory CopyOfGolden(TempFolder temp, string name = "golden")
    {
        var target = temp.File(name);
        foreach (var file in Directory.EnumerateFiles(GoldenStore, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(GoldenStore, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
        return new DeviceDirectory(target);
    }

    [Fact]
    public void The_golden_store_loads_to_its_values()
    {
        var loaded = TrustStore.Open(CopyOfGolden(_temp), GoldenKey)!.Load();

        Assert.Equal(GoldenState(), loaded);
        Assert.Equal(new ReportNonces("nonce-golden-0000000000", "nonce-golden-0000000001"), loaded.Nonces);
        Assert.Equal(MetadataWorld.Start + TimeSpan.FromHours(1), loaded.Metadata.TimeFloor);
        Assert.Equal((1L, 1L), (loaded.Metadata.ImageRoot.Signed.Version, loaded.Metadata.DirectorRoot.Signed.Version));
        Assert.Equal(1L, loaded.Metadata.DirectorTargets!.Signed.Version);
        Assert.Equal(3L, loaded.OfflineDirectorVersion);
    }

    [Fact]
    public void Todays_writer_produces_the_golden_bytes()
    {
        var device = new DeviceDirectory(_temp.File("written"));
        var store = TrustStore.Create(device, GoldenKey, GoldenState().Metadata with { DirectorTargets = null, ImageTimestamp = null, ImageSnapshot = null, TimeFloor = MetadataWorld.Start, ImageRootRefreshedAt = null });
        store.Save(GoldenState());

        var written = Files(Path.Combine(device.Root, "trust"));
        var golden = Files(Path.Combine(GoldenStore, "trust"));
        Assert.Equal(golden.Keys.Order(StringComparer.Ordinal), written.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, bytes) in golden) Assert.True(bytes.AsSpan().SequenceEqual(written[name]), $"{name} differs from the golden");
    }

    [Fact]
    public void The_golden_store_read_with_another_key_is_recovery_state() =>
        Assert.Throws<TrustStoreDamagedException>(() => TrustStore.Open(CopyOfGolden(_temp), new byte[32])!.Load());

    [Fact]
    public void The_golden_state_with_a_lowered_version_and_its_old_mac_is_recovery_state()
    {
        var device = CopyOfGolden(_temp);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Trust", "Golden", "state-v1-offline-version-lowered-negative"), Path.Combine(device.Root, "trust", "state"), overwrite: true);
        var e = Assert.Throws<TrustStoreDamagedException>(() => TrustStore.Open(device, GoldenKey)!.Load());
        Assert.Contains("fails its MAC", e.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, byte[]> Files(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(root, f), File.ReadAllBytes, StringComparer.Ordinal);
}
