using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.OtaMetadata.Status;
using AtymSecure.Primitives;

namespace AtymSecure.OtaMetadata.Tests.Status;

public sealed class RoleExpiryTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private readonly RepositoryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private static TargetsMetadata Expiring(TimeSpan left) => new() { Version = 3, Expires = Now + left, Targets = EquatableMap<TargetFile>.Empty };

    [Theory]
    [InlineData(31 * 24, null, ExpiryLevel.Ok)]
    [InlineData(29 * 24, null, ExpiryLevel.Warning)] // offline: 30 d before expiry
    [InlineData(7 * 24, 7 * 24, ExpiryLevel.Ok)]
    [InlineData(43, 7 * 24, ExpiryLevel.Ok)] // online 7 d: alarm below 42 h
    [InlineData(41, 7 * 24, ExpiryLevel.Alarm)]
    [InlineData(5, 24, ExpiryLevel.Alarm)] // timestamp: below 6 h
    [InlineData(7, 24, ExpiryLevel.Ok)]
    [InlineData(0, 24, ExpiryLevel.Expired)]
    [InlineData(-1, null, ExpiryLevel.Expired)]
    public void Offline_roles_warn_30_days_ahead_and_online_roles_alarm_below_a_quarter_of_their_life(int hoursLeft, int? lifeHours, ExpiryLevel level)
    {
        var judged = RoleExpiry.Judge("image", "r", Expiring(TimeSpan.FromHours(hoursLeft)), lifeHours is { } h ? TimeSpan.FromHours(h) : null, Now);

        Assert.Equal(level, judged.Level);
        Assert.Equal(lifeHours is not null, judged.Online);
        Assert.Equal(TimeSpan.FromHours(hoursLeft), judged.Left);
    }

    [Fact]
    public void The_report_lists_every_role_of_both_repositories_and_alarms_when_re_signing_stops()
    {
        var fresh = ExpiryReport.Of(_fixture.Image.Published, _fixture.Director.Roots.Current, ImageRepositoryOptions.Default, _fixture.Clock.GetUtcNow());
        var stalled = ExpiryReport.Of(_fixture.Image.Published, _fixture.Director.Roots.Current, ImageRepositoryOptions.Default, _fixture.Clock.GetUtcNow().AddHours(19));

        Assert.Equal(["image root", "image targets", "image compiler-linux-x86_64", "image snapshot", "image timestamp", "director root"],
            fresh.Select(r => $"{r.Repository} {r.Role}"));
        Assert.All(fresh, r => Assert.Equal(ExpiryLevel.Ok, r.Level));
        Assert.Equal(ExpiryLevel.Alarm, stalled.Single(r => r.Role == "timestamp").Level); // 5 h of 24 left
        Assert.Equal(ExpiryLevel.Ok, stalled.Single(r => r.Role == "snapshot").Level);
    }
}
