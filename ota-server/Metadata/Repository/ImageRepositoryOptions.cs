namespace AtymSecure.OtaMetadata.Repository;

/// <summary>Lifetimes of the online image-repository roles (docs/trust-model.md §1); each is re-signed at half life.</summary>
public sealed record ImageRepositoryOptions
{
    public static readonly ImageRepositoryOptions Default = new();

    /// <summary>1 d, re-signed every 12 h.</summary>
    public TimeSpan TimestampLife { get; init; } = TimeSpan.FromDays(1);

    /// <summary>7 d, re-signed at half life.</summary>
    public TimeSpan SnapshotLife { get; init; } = TimeSpan.FromDays(7);

    /// <summary><c>compiler-CLASS</c> delegations: 7 d, re-signed at half life and on each release.</summary>
    public TimeSpan CompilerLife { get; init; } = TimeSpan.FromDays(7);
}
