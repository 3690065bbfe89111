using System.Text;

namespace AtymSecure.Policies.Evaluation;

/// <summary>A decision for people (<c>atym policy explain</c>): the verdict, the deciding rule with its file and line, then every step.</summary>
public static class DecisionExplanation
{
    public static string Render(Decision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var text = new StringBuilder();
        text.Append(decision.Allowed ? "ALLOW" : "DENY").Append(" by ").Append(decision.Rule)
            .Append(decision.At is { } at ? $" ({at})" : " (no rule: nothing covers it, so it is refused)").Append('\n');
        text.Append("  ").Append(decision.Message).Append('\n');
        text.Append("steps:\n");
        foreach (var step in decision.Steps) text.Append("  ").Append(step).Append('\n');
        text.Append("policy set ").Append(decision.PolicySet).Append('\n');
        return text.ToString();
    }
}
