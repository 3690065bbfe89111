
namespace AtymSecure.OtaStore;

/// <summary>One audit log entry: who (token id + label), what (action, subject), when, and the state before and after (JSON or null).</summary>
public sealed record AuditEntry(long Sequence, DateTimeOffset At, string ActorId, string ActorLabel, string Action, string Subject, string? Before, string? After);

/// <summary>A page of the audit log, oldest first; <see cref="Next"/> is the sequence to continue after, or null at the end.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, long? Next);
