using System.Text;
using AtymSecure.Formats;
using AtymSecure.Formats.UpdateMetadata.Verification;
using AtymSecure.OtaMetadata.Resigning;
using AtymSecure.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace AtymSecure.OtaMetadata.Tests.Resigning;

public sealed class MetadataResignerTests : IDisposable
{
    private readonly RepositoryFixture _fixture = new();
    private readonly MetadataResigner _resigner;

    public MetadataResignerTests() => _resigner = new MetadataResigner(_fixture.Image, _fixture.Clock);

    public void Dispose() => _fixture.Dispose();

    private long TimestampVersion => _fixture.Image.Published.Timestamp!.Signed.Version;

    private long SnapshotVersion => _fixture.Image.Published.Snapshot!.Signed.Version;

    private long CompilerVersion => _fixture.Image.Published.Delegated["compiler-linux-x86_64"].Signed.Version;

    [Fact]
    public void The_timestamp_is_re_signed_every_12_hours_and_nothing_else_before_half_life()
    {
        var (timestamp, snapshot) = (TimestampVersion, SnapshotVersion);
        _fixture.Clock.Advance(TimeSpan.FromHours(12) - TimeSpan.FromSeconds(1));
        Assert.False(_resigner.ResignDue().Any);
        Assert.Equal(_fixture.Clock.GetUtcNow().AddSeconds(1), _resigner.NextDue(TimeSpan.FromHours(1)));

        _fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var result = _resigner.ResignDue();

        Assert.Equal(new ResignResult([], false, true), result);
        Assert.Equal(timestamp + 1, TimestampVersion);
        Assert.Equal(snapshot, SnapshotVersion);
        Assert.Equal(_fixture.Clock.GetUtcNow().AddDays(1), _fixture.Image.Published.Timestamp!.Signed.Expires);
    }

    [Fact]
    public void Snapshot_and_compiler_delegations_are_re_signed_at_half_life()
    {
        var (snapshot, compiler) = (SnapshotVersion, CompilerVersion);
        for (var i = 0; i < 6; i++)
        {
            _fixture.Clock.Advance(TimeSpan.FromHours(12));
            _resigner.ResignDue();
        }
        Assert.Equal(snapshot, SnapshotVersion); // 3 d: not yet
        Assert.Equal(compiler, CompilerVersion);

        _fixture.Clock.Advance(TimeSpan.FromHours(12)); // 3.5 d
        var result = _resigner.ResignDue();

        Assert.Equal(["compiler-linux-x86_64"], result.CompilerRoles);
        Assert.True(result.Snapshot && result.Timestamp);
        Assert.Equal(compiler + 1, CompilerVersion);
        Assert.Equal(snapshot + 1, SnapshotVersion);
    }

    [Fact]
    public void With_re_signing_a_device_keeps_verifying_for_a_month_and_without_it_refuses_after_a_day()
    {
        var image = _fixture.Release(DirectorFixture.Release, Encoding.ASCII.GetBytes("image"), Encoding.ASCII.GetBytes("wasm"));
        var start = _fixture.Clock.GetUtcNow();
        var state = _fixture.Provisioned();
        for (var day = 1; day <= 30; day++)
        {
            while (_resigner.NextDue(TimeSpan.FromHours(1)) <= start.AddDays(day))
            {
                _fixture.Clock.AdjustTime(_resigner.NextDue(TimeSpan.FromHours(1)));
                _resigner.ResignDue();
            }
            _fixture.Clock.AdjustTime(start.AddDays(day));
            var nonce = $"nonce-day-{day:D2}-aaaaaaaaaa";
            _fixture.Assign(image, nonce);
            var check = _fixture.DeviceCheck(state, RepositoryFixture.FreshDevice(nonce));
            Assert.True(check.Update is not null, $"day {day}: {check}");
            state = check.State;
        }

        // The same device, a day and a half after the last pass, with the director still answering: the image
        // repository's timestamp has expired.
        _fixture.Clock.Advance(TimeSpan.FromHours(36));
        _fixture.Assign(image, "nonce-late-aaaaaaaaaaaa");
        var late = _fixture.DeviceCheck(state, RepositoryFixture.FreshDevice("nonce-late-aaaaaaaaaaaa"));
        Assert.Equal(ReasonCodes.MetadataExpired, late.Refusal?.Code);
        Assert.Equal("timestamp", late.Refusal?.Role);
    }

    [Fact]
    public async Task The_hosted_service_re_signs_when_the_clock_reaches_the_due_time()
    {
        using var service = new MetadataResigningService(_resigner, new InlineResignRounds(_resigner), _fixture.Clock, NullLogger<MetadataResigningService>.Instance);
        var timestamp = TimestampVersion;
        await service.StartAsync(CancellationToken.None);
        await Wait.UntilAsync(() => service.Passes >= 1, "the first pass");
        Assert.Equal(timestamp, TimestampVersion);

        _fixture.Clock.Advance(TimeSpan.FromHours(1)); // the service waits at most an hour between passes
        await Wait.UntilAsync(() => service.Passes >= 2, "the hourly pass");
        for (var hour = 2; hour <= 12; hour++)
        {
            var passes = service.Passes;
            _fixture.Clock.Advance(TimeSpan.FromHours(1));
            await Wait.UntilAsync(() => service.Passes > passes, $"the pass at hour {hour}");
        }

        Assert.Equal(timestamp + 1, TimestampVersion);
        await service.StopAsync(CancellationToken.None);
    }
}
