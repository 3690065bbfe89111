using System.Security.Cryptography;
using AtymSecure.DeviceAgent.Http;
using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.Runtime.Logging;

namespace AtymSecure.DeviceAgent.Tests.Http;

/// <summary>
/// The update loop's pace against an OTA server over real loopback HTTP, on a fake clock that hands the test each wait
/// the loop parks on (issue 12 §5): the interval the server's last poll answer named is the one waited (not the
/// device's initial one), a server that fails gets capped exponential backoff with jitter, and a Retry-After is
/// waited exactly. The next request comes only once the test has moved the clock past the wait.
/// </summary>
public sealed class HttpUpdateSourcePacingTests : IAsyncDisposable
{
    private readonly ProductionDevice _device = ProductionDevice.Create();

    public ValueTask DisposeAsync() => _device.DisposeAsync();

    private int Polls() => _device.Server.Requests.Count(r => r.Path.EndsWith("/poll", StringComparison.Ordinal));

    /// <summary>The HTTP update source alone (no runner) on <paramref name="clock"/>, as <c>atym device run --server</c> builds it.</summary>
    private sealed class Loop : IDisposable
    {
        private readonly LocalDevice _opened;
        private readonly ECDsa _identity = ECDsa.Create();
        private readonly HttpClient _http = new();
        private readonly HttpUpdateSource _source;

        public Loop(ProductionDevice device, TimeProvider clock, HttpUpdateOptions options)
        {
            _opened = LocalDevice.Open(device.Data, new LocalDeviceOptions { Clock = clock });
            _identity.ImportFromPem(File.ReadAllText(_opened.Directory.IdentityKeyFile));
            var client = new OtaClient(_http, device.Server.BaseUri, _opened.Identity.DeviceId, _identity, clock);
            _source = new HttpUpdateSource(_opened, client, _http, options, device.Log);
            _source.Start();
        }

        public void Dispose()
        {
            _source.Dispose();
            _http.Dispose();
            _identity.Dispose();
            _opened.Dispose();
        }
    }

    private async Task NextPollAsync(TimerRecordingClock clock, TimeSpan wait, int polls)
    {
        Assert.Equal(polls, Polls()); // parked on its timer: no request before the clock passes the wait
        clock.Advance(wait);
        await Wait.UntilAsync(() => Polls() > polls, $"poll {polls + 1} after {wait}", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task The_device_waits_the_interval_the_servers_last_answer_named_with_its_jitter()
    {
        _device.Server.PollIntervalSeconds = 60;
        var clock = new TimerRecordingClock(DateTimeOffset.UtcNow);
        var options = ProductionDevice.Fast with { InitialPollInterval = TimeSpan.FromSeconds(5), PollJitter = 0.1, Random = new ScriptedRandom(0.5, 0.5, 0.0, 0.75) };
        using var loop = new Loop(_device, clock, options);

        Assert.Equal(TimeSpan.FromSeconds(60), await clock.NextTimerAsync()); // the server's 60 s, not the initial 5 s
        _device.Server.PollIntervalSeconds = 120; // the server slows the fleet down: the next answer says so
        await NextPollAsync(clock, TimeSpan.FromSeconds(60), 1);
        Assert.Equal(TimeSpan.FromSeconds(120), await clock.NextTimerAsync());
        await NextPollAsync(clock, TimeSpan.FromSeconds(120), 2);
        Assert.Equal(108, (await clock.NextTimerAsync()).TotalSeconds, 6); // the random source at 0: 10 % early
        await NextPollAsync(clock, TimeSpan.FromSeconds(108), 3);
        Assert.Equal(126, (await clock.NextTimerAsync()).TotalSeconds, 6); // at 0.75: 5 % late
        Assert.Equal(0, clock.Pending);
    }

    [Fact]
    public async Task A_failing_server_gets_capped_exponential_backoff_with_jitter_and_its_Retry_After_exactly()
    {
        var failed = 0;
        _device.Server.Misbehave = async e =>
        {
            if (!e.Path.EndsWith("/poll", StringComparison.Ordinal)) return false;
            var n = Interlocked.Increment(ref failed);
            if (n <= 5) await e.RespondAsync(503, "busy"u8.ToArray());
            else if (n == 6) await e.RespondAsync(429, "slow down"u8.ToArray(), ("Retry-After", "7"));
            else return false;
            return true;
        };
        _device.Server.PollIntervalSeconds = 60;
        var clock = new TimerRecordingClock(DateTimeOffset.UtcNow);
        var options = ProductionDevice.Fast with
        {
            MinBackoff = TimeSpan.FromSeconds(2), MaxBackoff = TimeSpan.FromSeconds(10), PollJitter = 0.1, Random = new ScriptedRandom(0.5),
        };
        using var loop = new Loop(_device, clock, options);

        // Ceilings 2, 4, 8, 10 (capped), 10; the random source at 0.5 picks three quarters of each.
        double[] backoff = [1.5, 3, 6, 7.5, 7.5];
        for (var i = 0; i < backoff.Length; i++)
        {
            var wait = await clock.NextTimerAsync();
            Assert.Equal(backoff[i], wait.TotalSeconds, 6);
            await NextPollAsync(clock, wait, i + 1);
        }
        Assert.Equal(TimeSpan.FromSeconds(7), await clock.NextTimerAsync()); // the 429's Retry-After, not the backoff
        await NextPollAsync(clock, TimeSpan.FromSeconds(7), 6);
        Assert.Equal(TimeSpan.FromSeconds(60), await clock.NextTimerAsync()); // answered: the server's interval, backoff reset
        Assert.Contains(_device.Log.Snapshot(), r => r.Source == HttpUpdateSource.LogSource && r.Message.Contains("next try in 7.5 s", StringComparison.Ordinal));
    }
}
