using System.Text.Json;
using AtymSecure.OtaContracts;
using AtymSecure.OtaStore;
using AtymSecure.Policies.Evaluation;
using AtymSecure.Policies.Model;
using AtymSecure.Policies.Serving;
using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Policy;

/// <summary>
/// The OTA server's one door to the serving policy set (<c>atym ota serve --policies DIR</c>): every enforcement point —
/// release import, deployment creation, each rollout wave — takes the set here once per decision, asks the one
/// evaluator, and gets back the decision, an audit entry naming the rule, its file and line and the set's digest, and for
/// a refusal the problem to throw (403, a <see cref="PolicyRefusalCodes"/> code, the rule's position in
/// <see cref="Problem.Position"/>). Without a good set (none ever loaded) everything it governs is refused with 503
/// <c>policy-unavailable</c>: enforcement fails closed. Registered only when the server has a policy folder; without
/// one the libraries skip every check, as before policies existed.
/// </summary>
public sealed class OtaPolicyGate(PolicySetSource source, IAuditLog audit, TimeProvider time)
{
    public PolicySetSource Source { get; } = source ?? throw new ArgumentNullException(nameof(source));

    /// <summary>The set serving now, or 503 when none ever loaded.</summary>
    public PolicySet Serving() => Source.State.Serving
        ?? throw new OtaProblemException(503, PolicyRefusalCodes.Unavailable, "$",
            $"no valid policy set has been loaded from {Source.Folder} ({Source.State.LastFailure?.Problems.Count ?? 0} problems; see /readyz and the log)")
        { RetryAfterSeconds = 30 };

    /// <summary>Evaluates <paramref name="request"/> with <paramref name="set"/> and appends the decision to the audit log as <paramref name="action"/> on <paramref name="subject"/>.</summary>
    public Decision Decide(PolicySet set, DecisionRequest request, OperatorIdentity actor, string action, string subject)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var decision = PolicyEvaluator.Evaluate(set, request);
        Record(decision, actor, action, subject);
        return decision;
    }

    /// <summary>Appends <paramref name="decision"/> to the audit log (what was decided, by which rule where, with which set).</summary>
    public void Record(Decision decision, OperatorIdentity actor, string action, string subject)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(actor);
        audit.Append(new AuditEntry(0, time.GetUtcNow(), actor.TokenId, actor.Label, action, subject, null, JsonSerializer.Serialize(new
        {
            decision = decision.Allowed ? "allow" : "deny",
            rule = decision.Rule,
            at = decision.At?.ToString(),
            detail = decision.Message,
            policySet = decision.PolicySet.ToString(),
        })));
    }

    /// <summary>
    /// Appends that the serving set derived narrowed grants for a release's image (<see cref="PolicyGrantedImages"/>):
    /// action <c>policy.grants</c> by the server on <c>release/ID/CLASS</c>, with the image, what was granted and withheld
    /// (rule, file:line) and the policy set's digest.
    /// </summary>
    public void RecordGrants(Release release, ReleaseImage variant, DerivedGrants derived)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentNullException.ThrowIfNull(variant);
        ArgumentNullException.ThrowIfNull(derived);
        audit.Append(new AuditEntry(0, time.GetUtcNow(), "server", "server", "policy.grants", $"release/{release.Id}/{variant.DeviceClass}", null,
            PolicyGrantedImages.AuditJson(variant, derived)));
    }

    /// <summary>A refusal naming the rule, where it is written and the set: 403 with the code of the rule's kind at <paramref name="path"/>.</summary>
    public static OtaProblemException Refusal(Decision decision, string path, string? context = null)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return new OtaProblemException(403, [new Problem(PolicyRefusalCodes.ForRule(decision.Rule), path, Describe(decision, context), decision.At)]);
    }

    /// <summary>"denied by RULE (FILE:LINE:COLUMN): MESSAGE; policy set DIGEST", the words every refusal and pause uses.</summary>
    public static string Describe(Decision decision, string? context = null)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return $"{(context is null ? "" : context + ": ")}{(decision.Allowed ? "allowed" : "denied")} by {decision.Rule}" +
            $"{(decision.At is { } at ? $" ({at})" : " (no rule covers it)")}: {decision.Message}; policy set {decision.PolicySet}";
    }
}
