using AtymSecure.DeviceAgent.Http;
using AtymSecure.DeviceAgent.Tests.Support;
using CsCheck;

namespace AtymSecure.DeviceAgent.Tests.Http;

/// <summary>The update loop's waits (issue 12 §5): the poll interval with jitter, and capped exponential backoff with jitter.</summary>
public class PollPacingTests
{
    private static readonly HttpUpdateOptions Options = new()
    {
        InitialPollInterval = TimeSpan.FromSeconds(30), PollJitter = 0.1, MinBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromMinutes(5),
    };

    [Fact]
    public void Backoff_doubles_per_failure_up_to_the_cap_and_each_wait_is_in_the_upper_half_of_its_ceiling()
    {
        // The random source at its two ends: 0 gives half the ceiling, just below 1 gives (just below) the ceiling.
        var low = new PollPacing(Options with { Random = new ScriptedRandom(0.0) });
        var high = new PollPacing(Options with { Random = new ScriptedRandom(1 - 1e-12) });
        double[] ceilings = [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300];
        foreach (var ceiling in ceilings)
        {
            Assert.Equal(ceiling / 2, low.AfterFailure().TotalSeconds, 6);
            Assert.Equal(ceiling, high.AfterFailure().TotalSeconds, 6);
        }
        Assert.Equal(ceilings.Length, low.Failures);
    }

    [Fact]
    public void A_good_tick_resets_the_backoff_and_the_servers_delay_wins_over_it()
    {
        var pacing = new PollPacing(Options with { Random = new ScriptedRandom(0.5) });
        Assert.Equal(0.75, pacing.AfterFailure().TotalSeconds, 6);
        Assert.Equal(1.5, pacing.AfterFailure().TotalSeconds, 6);
        Assert.Equal(TimeSpan.FromSeconds(42), pacing.AfterFailure(TimeSpan.FromSeconds(42))); // Retry-After, a pending enrolment's delay
        Assert.Equal(3, pacing.Failures);
        Assert.Equal(6, pacing.AfterFailure().TotalSeconds, 6); // the count went on under the server's delay
        Assert.Equal(TimeSpan.FromSeconds(30), pacing.AfterSuccess());
        Assert.Equal(0, pacing.Failures);
        Assert.Equal(0.75, pacing.AfterFailure().TotalSeconds, 6);
    }

    [Fact]
    public void A_good_tick_waits_the_servers_interval_once_it_named_one_with_at_most_the_jitter_either_way()
    {
        var pacing = new PollPacing(Options with { Random = new ScriptedRandom(0.5, 0.5, 0.0, 1 - 1e-12) });
        Assert.Equal(TimeSpan.FromSeconds(30), pacing.AfterSuccess()); // none named yet: the initial interval
        pacing.ServerInterval(TimeSpan.FromSeconds(600));
        Assert.Equal(TimeSpan.FromSeconds(600), pacing.AfterSuccess());
        Assert.Equal(540, pacing.AfterSuccess().TotalSeconds, 6);
        Assert.Equal(660, pacing.AfterSuccess().TotalSeconds, 6);
        Assert.Equal(TimeSpan.FromSeconds(600), pacing.Interval);
    }

    [Fact]
    public void Property_every_wait_stays_within_its_bounds_for_any_random_draws()
    {
        Gen.Select(Gen.Double[0, 0.999999].Array[1, 40], Gen.Int[0, 40], Gen.Long[1, 86_400]).Sample((draws, failures, interval) =>
        {
            var pacing = new PollPacing(Options with { Random = new ScriptedRandom(draws) });
            pacing.ServerInterval(TimeSpan.FromSeconds(interval));
            for (var n = 1; n <= failures; n++)
            {
                var ceiling = Math.Min(300, Math.Pow(2, n - 1));
                var wait = pacing.AfterFailure().TotalSeconds;
                Assert.InRange(wait, (ceiling / 2) - 1e-9, ceiling);
            }
            Assert.InRange(pacing.AfterSuccess().TotalSeconds, (interval * 0.9) - 1e-6, (interval * 1.1) + 1e-6);
        }, iter: 500);
    }
}
