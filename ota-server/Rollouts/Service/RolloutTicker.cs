using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AtymSecure.OtaRollouts.Service;

/// <summary>
/// The background tick of the rollouts: every <see cref="OtaRolloutsOptions.TickInterval"/> on the host's
/// <see cref="TimeProvider"/> (so a fake clock drives it in tests) it runs <see cref="RolloutService.TickAsync"/> —
/// timeouts, soaks, retries, schedules, continuous joins, and reports the engine has not used yet (which is how a
/// restart after a crash catches up). A failed tick is logged and the next one tries again.
/// </summary>
public sealed class RolloutTicker(RolloutService rollouts, OtaRolloutsOptions options, TimeProvider time, ILogger<RolloutTicker>? log = null) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.TickInterval, time);
        do
        {
            try
            {
                await rollouts.TickAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log?.LogError(e, "rollout tick failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
