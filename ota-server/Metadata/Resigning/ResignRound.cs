namespace AtymSecure.OtaMetadata.Resigning;

/// <summary>
/// One re-signing round: what is due at <paramref name="DueAt"/> on top of timestamp <paramref name="TimestampVersion"/>,
/// the highest version published or claimed (<c>N.timestamp.json</c>; 0 before the first). Every round that changes
/// anything claims a new timestamp version, so the version names the round across replicas.
/// </summary>
public sealed record ResignRound(long TimestampVersion, DateTimeOffset DueAt);
