using System.Runtime.InteropServices;

namespace AtymSecure.Cli.Commands;

/// <summary>
/// SIGTERM (systemd, kill) and SIGINT (Ctrl+C) as a cancellation the command finishes by itself: the signal's default
/// is cancelled, so the command stops what it runs cleanly and exits 0 instead of being cut off with 130 once
/// System.CommandLine's short termination timeout passes.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration _term;
    private readonly PosixSignalRegistration _interrupt;

    public StopSignals(CancellationToken ct)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    }

    public CancellationToken Token => _stop.Token;

    /// <summary>Also stops after <paramref name="limit"/> (a run's --duration).</summary>
    public void StopAfter(TimeSpan limit) => _stop.CancelAfter(limit);

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        _stop.Cancel();
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _term.Dispose();
        _stop.Dispose();
    }
}
