namespace AtymSecure.OtaMetadata.Resigning;

/// <summary>
/// One re-signing round: what is due at <paramref name="DueAt"/> on top of the published timestamp
/// <paramref name="TimestampVersion"/> (0 before the first). Every round that changes anything publishes a new timestamp,
/// so the version names the round across replicas.
/// </summary>
public sealed record ResignRound(long TimestampVersion, DateTimeOffset DueAt);
