using AtymSecure.Primitives;

namespace AtymSecure.Policies.Evaluation;

public enum Verdict
{
    Allow,
    Deny,
}

/// <summary>One check the evaluator made: which rule (<c>trust/samples</c>), where it is written, and what it found. An audit-level failure passes with <see cref="AuditOnly"/>.</summary>
public sealed record DecisionStep(string Rule, SourcePosition? At, bool Passed, string Message, bool AuditOnly = false)
{
    public override string ToString() =>
        $"{(Passed ? AuditOnly ? "audit" : "pass" : "DENY")}  {Rule}{(At is { } a ? $" ({a})" : "")}: {Message}";
}

/// <summary>
/// The evaluator's answer: allow or deny, the rule that decided (the first refusing rule, or for an allowed release
/// the trust rule that admitted it) and where it is written, every step it took, and the digest of the policy set
/// that decided (recorded with every decision).
/// </summary>
public sealed record Decision(Verdict Verdict, string Rule, SourcePosition? At, string Message, EquatableList<DecisionStep> Steps, Digest PolicySet)
{
    public bool Allowed => Verdict == Verdict.Allow;
}
