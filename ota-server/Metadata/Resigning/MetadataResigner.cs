using AtymSecure.OtaMetadata.Repository;
using AtymSecure.Primitives;

namespace AtymSecure.OtaMetadata.Resigning;

/// <summary>What one re-signing pass did.</summary>
public sealed record ResignResult(EquatableList<string> CompilerRoles, bool Snapshot, bool Timestamp)
{
    public bool Any => CompilerRoles.Count > 0 || Snapshot || Timestamp;
}

/// <summary>
/// Re-signs the image repository's online roles before they expire (docs/trust-model.md §1): a role is due once half
/// its life is gone — timestamp (1 d) every 12 h, snapshot and <c>compiler-CLASS</c> (7 d) at 3.5 d — measured from the
/// published file's expiry, so a restart or a missed pass never shifts the schedule later. A re-signed compiler
/// role is listed by a new snapshot; a new snapshot by a new timestamp. Pure and clock-driven:
/// <see cref="ResignDue"/> acts on <see cref="TimeProvider.GetUtcNow"/> and <see cref="NextDue"/> says when to call
/// again; <see cref="MetadataResigningService"/> runs it in the host.
/// </summary>
public sealed class MetadataResigner(ImageRepository repository, TimeProvider clock)
{
    public ResignResult ResignDue()
    {
        var now = clock.GetUtcNow();
        var options = repository.Options;
        var published = repository.Published;
        if (published.TopLevel is null) return new ResignResult(EquatableList<string>.Empty, false, false);
        var compilers = new List<string>();
        foreach (var (role, doc) in published.Delegated)
        {
            if (!role.StartsWith("compiler-", StringComparison.Ordinal) || !IsDue(doc.Signed.Expires, options.CompilerLife, now)) continue;
            repository.ResignCompiler(role);
            compilers.Add(role);
        }
        if (compilers.Count > 0 || published.Snapshot is null || IsDue(published.Snapshot.Signed.Expires, options.SnapshotLife, now))
        {
            repository.PublishSnapshot();
            return new ResignResult(new EquatableList<string>(compilers), true, true);
        }
        if (published.Timestamp is null || IsDue(published.Timestamp.Signed.Expires, options.TimestampLife, now))
        {
            repository.PublishTimestamp();
            return new ResignResult(new EquatableList<string>(compilers), false, true);
        }
        return new ResignResult(new EquatableList<string>(compilers), false, false);
    }

    /// <summary>When the next role falls due (now when something already is, or when nothing is published yet: then in <paramref name="idle"/>).</summary>
    public DateTimeOffset NextDue(TimeSpan idle)
    {
        var now = clock.GetUtcNow();
        var options = repository.Options;
        var published = repository.Published;
        if (published.TopLevel is null || published.Snapshot is null || published.Timestamp is null) return now + idle;
        var due = new List<DateTimeOffset>
        {
            DueAt(published.Snapshot.Signed.Expires, options.SnapshotLife),
            DueAt(published.Timestamp.Signed.Expires, options.TimestampLife),
        };
        due.AddRange(published.Delegated.Where(d => d.Key.StartsWith("compiler-", StringComparison.Ordinal))
            .Select(d => DueAt(d.Value.Signed.Expires, options.CompilerLife)));
        var next = due.Min();
        return next < now ? now : next;
    }

    private static DateTimeOffset DueAt(DateTimeOffset expires, TimeSpan life) => expires - life / 2;

    private static bool IsDue(DateTimeOffset expires, TimeSpan life, DateTimeOffset now) => now >= DueAt(expires, life);
}
