using AtymSecure.Policies.Evaluation;
using AtymSecure.Primitives;

namespace AtymSecure.Policies.Testing;

/// <summary>What a policy test case expects: the verdict and, when given, the deciding rule (<c>permission/sensor-filter</c>).</summary>
public sealed record ExpectedDecision(Verdict Verdict, string? Rule);

/// <summary>One case of a <c>kind: PolicyTest</c> file: a question to the evaluator and the answer it must give.</summary>
public sealed record PolicyTestCase(string Name, DecisionRequest Request, ExpectedDecision Expect, SourcePosition At);

/// <summary>A <c>kind: PolicyTest</c> file: policy unit tests, run by <c>atym policy test</c> (like <c>opa test</c>).</summary>
public sealed record PolicyTestSuite(string Name, EquatableList<PolicyTestCase> Cases, string File);
