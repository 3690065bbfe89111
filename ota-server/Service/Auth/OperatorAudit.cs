using AtymSecure.OtaContracts;
using AtymSecure.OtaStore;
using Microsoft.AspNetCore.Http;

namespace AtymSecure.OtaServer.Auth;

/// <summary>Writes one audit entry for a change an operator (or the server itself) made: who, what, when, before and after.</summary>
public sealed class OperatorAudit(IAuditLog log, TimeProvider clock)
{
    public AuditEntry Record(HttpContext context, string action, string subject, object? before, object? after)
    {
        ArgumentNullException.ThrowIfNull(context);
        var who = OperatorIdentity.From(context.User);
        return log.Append(new AuditEntry(0, clock.GetUtcNow(), who?.TokenId ?? "anonymous", who?.Label ?? "", action, subject,
            before is null ? null : AuditJson.Of(before), after is null ? null : AuditJson.Of(after)));
    }

    /// <summary>An entry for a change a device or the server made (enrolment, a device's own key rotation).</summary>
    public AuditEntry RecordSystem(string actor, string action, string subject, object? before, object? after) =>
        log.Append(new AuditEntry(0, clock.GetUtcNow(), actor, actor, action, subject,
            before is null ? null : AuditJson.Of(before), after is null ? null : AuditJson.Of(after)));
}
