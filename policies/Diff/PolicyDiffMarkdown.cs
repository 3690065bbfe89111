using System.Text;

namespace AtymSecure.Policies.Diff;

/// <summary>A <see cref="PolicyDiff"/> as Markdown for a pull-request comment: a verdict line, then one section per area, widening lines first.</summary>
public static class PolicyDiffMarkdown
{
    public static string Render(PolicyDiff diff, string before, string after)
    {
        ArgumentNullException.ThrowIfNull(diff);
        var md = new StringBuilder();
        md.Append("## Policy changes: `").Append(before).Append("` → `").Append(after).Append("`\n\n");
        if (diff.IsEmpty)
        {
            md.Append("No effective change: the policies mean the same (reordering, reformatting and comments are not changes).\n");
            return md.ToString();
        }
        md.Append(diff.TrustOrPermissionsWiden
            ? "**Trust or permissions widen.** Each line marked **widens** lets something through that was refused before; review it.\n"
            : "Trust and permissions do not widen.\n");
        foreach (var area in diff.Changes.GroupBy(c => c.Area))
        {
            md.Append("\n### ").Append(area.Key).Append("\n\n");
            foreach (var change in area)
                md.Append("- ").Append(change.Effect == ChangeEffect.Widens ? "**widens**: " : "narrows: ").Append(change.Text).Append('\n');
        }
        return md.ToString();
    }
}
