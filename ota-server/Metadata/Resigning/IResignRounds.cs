namespace AtymSecure.OtaMetadata.Resigning;

/// <summary>
/// Who runs a due <see cref="ResignRound"/>: this process at once (<see cref="InlineResignRounds"/>, a server without a
/// job queue), or whichever replica claims it in the job queue (the releases library's <c>JobResignRounds</c>, which the
/// OTA host registers with its queue, so a round runs once across replicas and lands in the claims ledger).
/// </summary>
public interface IResignRounds
{
    /// <summary>
    /// Runs <paramref name="round"/> here (true: what it re-signed is published when this returns) or hands it to the
    /// job queue (false: a claimed job runs it, maybe on another replica).
    /// </summary>
    Task<bool> RunAsync(ResignRound round, CancellationToken ct);
}
