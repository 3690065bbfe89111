using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.Primitives;

namespace AtymSecure.OtaMetadata.Tests.Director;

/// <summary><see cref="UptaneDirector.SignOffline"/>: the offline document's own version sequence, its custom, its life bound, and the key.</summary>
public sealed class OfflineDirectorSigningTests : IDisposable
{
    private readonly DirectorFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private OfflineDirectorRequest Request(TimeSpan? life = null) => new(DirectorFixture.DeviceClass,
        new EquatableList<string>([DirectorFixture.DeviceId, "atym-fedcba9876543210"]), [DirectorFixture.Target()], life ?? OfflineDirectorCustom.DefaultLifetime);

    [Fact]
    public void Each_export_gets_the_next_offline_version_apart_from_every_devices_online_sequence()
    {
        _fixture.Director.Signer.Answer(DirectorFixture.Request("nonce-aaaaaaaaaaaaaaaa", DirectorFixture.Target()));
        var first = _fixture.Director.SignOffline(Request());
        var second = _fixture.Director.SignOffline(Request());

        Assert.Equal((1L, 2L), (first.Signed.Version, second.Signed.Version));
        Assert.Equal(1, _fixture.Director.Signer.Latest(DirectorFixture.DeviceId)!.Signed.Version); // the online sequence is untouched
        var custom = OfflineDirectorCustom.FromJson(second.Signed.Custom, "$");
        Assert.Equal(_fixture.Clock.GetUtcNow().AddTicks(-(_fixture.Clock.GetUtcNow().Ticks % TimeSpan.TicksPerSecond)), custom.ExportedAt);
        Assert.Equal(custom.ExportedAt + OfflineDirectorCustom.DefaultLifetime, second.Signed.Expires);
        Assert.Equal(2, custom.Devices.Count);
        var root = SignedMetadata<RootMetadata>.Parse(_fixture.Director.File(DirectorFixture.DeviceId, "1.root.json"));
        Assert.True(ThresholdCheck.CountValid(second, root.Signed.Keys, root.Signed.Roles["targets"]) >= 1); // the director-targets key
    }

    [Fact]
    public void A_life_beyond_90_days_is_refused_and_signs_nothing()
    {
        var e = Assert.Throws<ProblemException>(() => _fixture.Director.SignOffline(Request(TimeSpan.FromDays(91))));
        Assert.Equal(DirectorTargetsSigner.RequestProblem, e.Problems[0].Code);
        Assert.Equal(1, _fixture.Director.SignOffline(Request()).Signed.Version);
    }
}
