using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.Formats.Tests.UpdateMetadata;
using static AtymSecure.Formats.ReasonCodes;

namespace AtymSecure.DeviceAgent.Tests.Http;

/// <summary>
/// The operations of issue 13 §1 and §4 on a production device over real loopback HTTP: rotated director, timestamp
/// and snapshot keys keep it updating even when it missed intermediate root versions (a walk N → N+3); a device away
/// past every expiry recovers on its own once the server re-signs, in the same power-on; and its time floor never runs
/// backwards across a power cut with a reset RTC (docs/trust-model.md §9). Years pass on the device's
/// <see cref="DeviceWallClock"/> and the world's hand-moved clock, never in sleeps.
/// </summary>
public sealed class HttpOperationsTests : IAsyncDisposable
{
    private readonly ProductionDevice _device = ProductionDevice.Create();

    public ValueTask DisposeAsync() => _device.DisposeAsync();

    private TestImageRepository Repository => _device.World.Repository;

    private TestDirector Director => _device.World.Director;

    [Fact]
    public async Task Rotated_director_keys_keep_a_device_updating_that_missed_three_director_root_versions()
    {
        await _device.RunConfirmed(ProductionDevice.ImageAt("1.0.0"));
        // While the device is off: three director roots, each rotating a key (targets, root, targets again).
        _device.Server.Change(() =>
        {
            Director.RotateRoot(newTargetsKey: TestKeys.Ed25519("director-targets-2"));
            Director.RotateRoot(newRootKey: TestKeys.Ed25519("director-root-2"));
            Director.RotateRoot(newTargetsKey: TestKeys.Ed25519("director-targets-3"));
        });
        var next = ProductionDevice.ImageAt("1.1.0");
        _device.Server.Assign(_device.Release(next));

        await _device.RunUntil(() => _device.ReportsConfirmed(next), "1.1.0 confirmed under director root 4");

        var stored = _device.StoredTrust().Metadata;
        Assert.Equal(4, stored.DirectorRoot.Signed.Version);
        Assert.Equal(Director.TargetsKey.PublicKey.KeyId, Assert.Single(stored.DirectorTargets!.Signatures).KeyId);
    }

    [Fact]
    public async Task Rotated_timestamp_and_snapshot_keys_keep_a_device_updating_that_missed_three_image_root_versions()
    {
        await _device.RunConfirmed(ProductionDevice.ImageAt("1.0.0"));
        _device.Server.Change(() =>
        {
            Repository.TimestampKey = TestKeys.Ed25519("image-timestamp-2");
            Repository.RotateRoot(root => root);
            Repository.PublishTimestamp();
            Repository.SnapshotKey = TestKeys.Ed25519("image-snapshot-2");
            Repository.RotateRoot(root => root);
            Repository.PublishSnapshot();
            Repository.RotateRoot(root => root, [TestKeys.Ed25519("image-root-2")]);
        });
        var next = ProductionDevice.ImageAt("1.1.0");
        _device.Server.Assign(_device.Release(next));

        await _device.RunUntil(() => _device.ReportsConfirmed(next), "1.1.0 confirmed under image root 4");

        var stored = _device.StoredTrust().Metadata;
        Assert.Equal(4, stored.ImageRoot.Signed.Version);
        Assert.Equal(Repository.TimestampVersion, stored.ImageTimestamp!.Signed.Version);
        Assert.Equal(Repository.TimestampKey.PublicKey.KeyId, Assert.Single(stored.ImageTimestamp.Signatures).KeyId);
        Assert.Equal(Repository.SnapshotKey.PublicKey.KeyId, Assert.Single(stored.ImageSnapshot!.Signatures).KeyId);
    }

    [Fact]
    public async Task A_device_away_past_every_expiry_recovers_on_its_own_once_the_server_has_re_signed_without_a_reboot()
    {
        // Its bundles outlive the absence (a bundle's own expiry is the bootloader's check, not this test's subject).
        var farFuture = DateTimeOffset.UtcNow.AddYears(3);
        var v1 = ProductionDevice.ImageAt("1.0.0");
        _device.Server.Assign(_device.Release(v1, bundleExpires: farFuture));
        await using var run = _device.PowerOn();
        await run.Until(() => _device.ReportsConfirmed(v1), "1.0.0 confirmed");

        // The network goes away, and two years pass for device and server alike. The server rotates both roots twice
        // (before each expires) and keeps every N.root.json; re-signing of the image repository stops meanwhile.
        var dark = 0;
        _device.Server.Misbehave = async e =>
        {
            Interlocked.Increment(ref dark);
            await e.RespondAsync(503);
            return true;
        };
        await run.Until(() => Volatile.Read(ref dark) >= 3, "the device meeting a dark server");
        var start = _device.World.Clock.Now;
        _device.Server.Change(() =>
        {
            foreach (var day in new[] { 300, 600 })
            {
                _device.World.Clock.Now = start + TimeSpan.FromDays(day);
                Repository.RotateRoot(root => root);
                Director.RotateRoot();
            }
            _device.World.Clock.Now = start + TimeSpan.FromDays(730);
        });
        _device.Clock.Pass(TimeSpan.FromDays(730));

        // Back online: the director is live (it signs every answer) and names 1.1.0, whose release re-signed the compiler
        // role, snapshot and timestamp; the top-level targets file (90 d) has not been re-signed yet.
        var next = ProductionDevice.ImageAt("1.1.0");
        var back = _device.Server.Reports.Count;
        _device.Server.Assign(_device.Release(next, bundleExpires: farFuture));
        _device.Server.Misbehave = null;
        await run.Until(() => _device.Server.Reports.Skip(back).Any(r => r.LastRefusal?.Code == MetadataExpired), "a report of metadata-expired");
        var refused = _device.Server.Reports.Skip(back).First(r => r.LastRefusal?.Code == MetadataExpired);
        Assert.Equal((7, "targets"), ((int)refused.LastRefusal!.Step, refused.LastRefusal.Role));
        Assert.Equal("1.0.0", refused.Containers.Single().Confirmed?.Version); // still running what it had

        // The device has acted on the director's answer to that report too (same refusal, not reported again), and the
        // poll answer no longer changes. Then the server's re-signing catches up: the device retries by itself and
        // updates, in the same power-on, with no operator and no new director document.
        int Polls() => _device.Server.Requests.Count(r => r.Path.EndsWith("/poll", StringComparison.Ordinal));
        var polls = Polls();
        await run.Until(() => Polls() >= polls + 3, "three polls after the refusal");
        _device.Server.Change(Repository.RepublishAll);
        await run.Until(() => _device.ReportsConfirmed(next), "1.1.0 confirmed after the server re-signed");
        await run.StopAsync();

        var stored = _device.StoredTrust().Metadata;
        Assert.Equal((3, 3), (stored.ImageRoot.Signed.Version, stored.DirectorRoot.Signed.Version));
        Assert.True(stored.TimeFloor >= start + TimeSpan.FromDays(730), $"time floor {stored.TimeFloor:O}");
    }

    [Fact]
    public async Task An_idle_device_stores_its_uptime_advanced_time_floor_hourly()
    {
        await _device.RunConfirmed(ProductionDevice.ImageAt("1.0.0"));
        var floor = _device.StoredTrust().Metadata.TimeFloor;
        int Polls() => _device.Server.Requests.Count(r => r.Path.EndsWith("/poll", StringComparison.Ordinal));

        await using (var run = _device.PowerOn())
        {
            var before = _device.Server.Reports.Count;
            await run.Until(() => _device.Server.Reports.Count > before, "the report at power-on");
            var settled = Polls();
            await run.Until(() => Polls() >= settled + 3, "three polls after it (the answer to the report, then 304s)");
            // Three hours of uptime with nothing to do: every poll is a 304, no cycle runs, no report is due, so only the
            // hourly write of the advanced floor stores anything.
            var reports = _device.Server.Reports.Count;
            _device.Clock.Pass(TimeSpan.FromHours(3));
            var polls = Polls();
            await run.Until(() => Polls() >= polls + 3, "three polls after the three hours");
            Assert.Equal(reports, _device.Server.Reports.Count);
        }

        var stored = _device.StoredTrust().Metadata.TimeFloor;
        Assert.True(stored >= floor + TimeSpan.FromHours(3), $"stored floor {stored:O}, {floor:O} before the idle hours");
    }

    [Fact]
    public async Task The_time_floor_carries_uptime_across_a_power_cut_so_a_reset_rtc_cannot_revive_expired_metadata()
    {
        await _device.RunConfirmed(ProductionDevice.ImageAt("1.0.0"));
        var floor = _device.StoredTrust().Metadata.TimeFloor;
        Assert.True(floor > DateTimeOffset.UtcNow.AddMinutes(-5), $"the floor follows the last success: {floor:O}");

        // A power cut with a flat RTC battery: the device's wall clock restarts in 1970. It then runs for two days. The
        // image repository it sees is frozen at what was published before the cut (a timestamp of 1 d); the director is
        // live and names 1.1.0, which that frozen repository already listed.
        var next = ProductionDevice.ImageAt("1.1.0");
        var assignment = _device.Release(next);
        var frozen = _device.World.Clock.Now;
        _device.Clock.SetWall(DateTimeOffset.UnixEpoch);
        var attack = AttackPhase.Begin(_device);
        await using (var run = _device.PowerOn())
        {
            await run.Until(() => attack.Reports.Any(), "a report after the power cut");
            // The server's clock moves (and re-signs the director) first: were the device's uptime to pass first, a poll in
            // between would find the director's own targets expired (step 2) before it reached the frozen timestamp (step 5).
            _device.Server.SetClock(frozen + TimeSpan.FromDays(2));
            _device.Clock.Pass(TimeSpan.FromDays(2));
            _device.Server.Assign(assignment);
            // now = max(clock, floor + uptime) = floor + 2 d: the 1 d timestamp has expired, whatever the RTC says.
            await run.Until(() => attack.Refusal(MetadataExpired) is not null, "a report of metadata-expired");
        }
        attack.AssertRefused(MetadataExpired, 5, "timestamp");
        var advanced = _device.StoredTrust().Metadata.TimeFloor;
        Assert.True(advanced >= floor + TimeSpan.FromDays(2), $"the stored floor {advanced:O} carries the uptime past {floor:O}");

        // Another power cut, the RTC at 1970 again, no uptime yet: the stored floor alone refuses the same replay.
        _device.Clock.SetWall(DateTimeOffset.UnixEpoch);
        var again = AttackPhase.Begin(_device);
        await again.RunUntilRefused(MetadataExpired, 5, "timestamp");
    }
}
