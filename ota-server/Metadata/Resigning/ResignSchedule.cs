namespace AtymSecure.OtaMetadata.Resigning;

/// <summary>What <see cref="MetadataResigner.Look"/> found: when the next role falls due, and the round to run if that is now.</summary>
public sealed record ResignSchedule(DateTimeOffset NextDue, ResignRound? Due);
