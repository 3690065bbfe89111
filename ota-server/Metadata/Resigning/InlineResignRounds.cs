using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AtymSecure.OtaMetadata.Resigning;

/// <summary>Runs every round in this process, at once: one server on its own data folder.</summary>
public sealed class InlineResignRounds(MetadataResigner resigner, ILogger<InlineResignRounds>? logger = null) : IResignRounds
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>What the last round re-signed (null before the first).</summary>
    public ResignResult? Last { get; private set; }

    public Task<bool> RunAsync(ResignRound round, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(round);
        ct.ThrowIfCancellationRequested();
        Last = resigner.ResignDue(round.DueAt);
        if (Last.Any) _logger.LogInformation("re-signed: {Roles}", Last.Describe());
        return Task.FromResult(true);
    }
}
