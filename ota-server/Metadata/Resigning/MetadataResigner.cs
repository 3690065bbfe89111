using AtymSecure.OtaMetadata.Repository;
using AtymSecure.Primitives;

namespace AtymSecure.OtaMetadata.Resigning;

/// <summary>What one re-signing pass did.</summary>
public sealed record ResignResult(EquatableList<string> CompilerRoles, bool Snapshot, bool Timestamp)
{
    public bool Any => CompilerRoles.Count > 0 || Snapshot || Timestamp;

    /// <summary>For people and a job's result: <c>compiler-linux-x86_64,snapshot,timestamp</c>, or <c>nothing due</c>.</summary>
    public string Describe() => Any
        ? string.Join(",", CompilerRoles.Concat(Snapshot ? ["snapshot"] : []).Concat(Timestamp ? ["timestamp"] : []))
        : "nothing due";
}

/// <summary>
/// Re-signs the image repository's online roles before they expire (docs/trust-model.md §1): a role is due once half
/// its life is gone — timestamp (1 d) every 12 h, snapshot and <c>compiler-CLASS</c> (7 d) at 3.5 d — measured from the
/// published file's expiry, so a restart or a missed pass never shifts the schedule later. A re-signed compiler
/// role is listed by a new snapshot; a new snapshot by a new timestamp. A set left incomplete by a writer killed between
/// steps (a targets file no snapshot lists, a snapshot no timestamp names, a claimed timestamp version never put in
/// place) is due at once, so whoever runs the next round
/// finishes it. Pure and clock-driven: <see cref="ResignDue"/> acts on <see cref="TimeProvider.GetUtcNow"/> (or a later
/// moment it is given) and <see cref="NextDue"/> says when to call again; <see cref="MetadataResigningService"/> runs it in
/// the host.
/// </summary>
public sealed class MetadataResigner(ImageRepository repository, TimeProvider clock)
{
    /// <summary>
    /// Reads the folder again (a peer may have re-signed), then re-signs what is due at <paramref name="asOf"/> or now,
    /// whichever is later. A round scheduled by a replica whose clock runs ahead therefore still does its work on a
    /// replica whose clock runs behind, instead of ending as "nothing due" while the role stays due.
    /// </summary>
    public ResignResult ResignDue(DateTimeOffset? asOf = null)
    {
        repository.Refresh();
        var now = clock.GetUtcNow();
        if (asOf > now) now = asOf.Value;
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
        if (compilers.Count > 0 || published.Snapshot is null || IsDue(published.Snapshot.Signed.Expires, options.SnapshotLife, now) || !SnapshotListsAll(published))
        {
            repository.PublishSnapshot();
            return new ResignResult(new EquatableList<string>(compilers), true, true);
        }
        if (published.Timestamp is null || IsDue(published.Timestamp.Signed.Expires, options.TimestampLife, now) || !TimestampNamesSnapshot(published) || !TimestampIsNewestClaimed(published))
        {
            repository.PublishTimestamp();
            return new ResignResult(new EquatableList<string>(compilers), false, true);
        }
        return new ResignResult(new EquatableList<string>(compilers), false, false);
    }

    /// <summary>
    /// When the next role falls due, as this object last read the folder (now when something already is or the set is
    /// incomplete; when nothing is published yet, in <paramref name="idle"/>).
    /// </summary>
    public DateTimeOffset NextDue(TimeSpan idle)
    {
        var now = clock.GetUtcNow();
        var options = repository.Options;
        var published = repository.Published;
        if (published.TopLevel is null) return now + idle;
        if (published.Snapshot is null || published.Timestamp is null || !SnapshotListsAll(published) || !TimestampNamesSnapshot(published)
            || !TimestampIsNewestClaimed(published)) return now;
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

    /// <summary>
    /// Reads the folder again and says what is due: the round to run now, or null and when to look again. The round is
    /// named by the highest timestamp version published or claimed, so every replica looking at the same set names the
    /// same round, and every attempt that got as far as claiming a timestamp moves the name on.
    /// </summary>
    public ResignSchedule Look(TimeSpan idle)
    {
        repository.Refresh();
        var next = NextDue(idle);
        return next <= clock.GetUtcNow()
            ? new ResignSchedule(next, new ResignRound(Math.Max(repository.Published.Timestamp?.Signed.Version ?? 0,
                repository.Metadata.Versions(ImageRepository.TimestampRole).LastOrDefault()), next))
            : new ResignSchedule(next, null);
    }

    private static bool SnapshotListsAll(PublishedImageRepository published)
    {
        var meta = published.Snapshot!.Signed.Meta;
        bool Lists(string role, long version) => meta.TryGetValue(Formats.UpdateMetadata.Model.SnapshotMetadata.FileOf(role), out var file) && file.Version == version;
        return Lists("targets", published.TopLevel!.Signed.Version) && published.Delegated.All(d => Lists(d.Key, d.Value.Signed.Version));
    }

    private static bool TimestampNamesSnapshot(PublishedImageRepository published) =>
        published.Timestamp!.Signed.Snapshot.Version == published.Snapshot!.Signed.Version;

    /// <summary>
    /// Whether <c>timestamp.json</c> holds the highest version any writer claimed (<c>N.timestamp.json</c>). Not so after a
    /// writer was killed between its claim and its rename, or in the one window the fence leaves open (a writer frozen
    /// between its version check and its rename, putting an older file back over a peer's newer one): then a new
    /// timestamp above every claim is due at once, and devices that saw the newer one accept it.
    /// </summary>
    private bool TimestampIsNewestClaimed(PublishedImageRepository published) =>
        repository.Metadata.Versions(ImageRepository.TimestampRole).LastOrDefault() <= published.Timestamp!.Signed.Version;

    private static DateTimeOffset DueAt(DateTimeOffset expires, TimeSpan life) => expires - life / 2;

    private static bool IsDue(DateTimeOffset expires, TimeSpan life, DateTimeOffset now) => now >= DueAt(expires, life);
}
