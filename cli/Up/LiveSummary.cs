using AtymSecure.Fleet;

namespace AtymSecure.Cli.Up;

/// <summary>
/// The live lines of <c>atym fleet simulate</c> and <c>atym up</c>: the fleet summary whenever it changes (checked every
/// second), and once every device runs a container, the memory each simulated device costs.
/// </summary>
internal static class LiveSummary
{
    public static async Task RunAsync(FleetSimulator fleet, TextWriter output, CancellationToken ct)
    {
        string? last = null;
        var memoryShown = false;
        using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            do
            {
                var line = fleet.Summary().ToString();
                if (line != last) output.WriteLine($"[{DateTime.Now:HH:mm:ss}] {last = line}");
                if (!memoryShown && fleet.AllRunning)
                {
                    memoryShown = true;
                    output.WriteLine($"[{DateTime.Now:HH:mm:ss}] {fleet.Memory()}");
                }
                output.Flush();
            }
            while (await tick.WaitForNextTickAsync(ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
