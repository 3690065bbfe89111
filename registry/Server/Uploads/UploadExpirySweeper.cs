using AtymSecure.Registry.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AtymSecure.Registry.Uploads;

/// <summary>Periodically cancels upload sessions idle for longer than <see cref="RegistryOptions.UploadExpiry"/>.</summary>
internal sealed class UploadExpirySweeper(UploadService uploads, RegistryOptions options, TimeProvider clock,
    ILogger<UploadExpirySweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.UploadSweepInterval, clock);
        try
        {
            do
            {
                try
                {
                    var removed = uploads.SweepExpired(options.UploadExpiry);
                    if (removed > 0) logger.LogInformation("expired {Count} idle upload sessions", removed);
                }
                catch (IOException e)
                {
                    logger.LogWarning(e, "upload expiry sweep failed; retrying next interval");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }
}
