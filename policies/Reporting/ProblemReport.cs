using System.Text;
using System.Text.Json;
using AtymSecure.Primitives;

namespace AtymSecure.Policies.Reporting;

/// <summary>How <c>atym policy validate</c> prints problems.</summary>
public enum ReportFormat
{
    /// <summary><c>file:line:column: message</c>, then the hint indented.</summary>
    Text,

    /// <summary>GitHub Actions workflow commands (<c>::error file=…,line=…,col=…,title=…::message</c>): annotations on the pull request's lines.</summary>
    GitHub,

    /// <summary>One JSON document: <c>{"valid":…, "files":N, "problems":[{code, file, line, column, path, message, hint}]}</c>.</summary>
    Json,
}

/// <summary>Every problem of a policy folder, each with its position and a hint on how to fix it, in one of the <see cref="ReportFormat"/>s.</summary>
public static class ProblemReport
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Render(IReadOnlyList<Problem> problems, int fileCount, ReportFormat format)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var ordered = problems.OrderBy(p => p.Position?.File, StringComparer.Ordinal).ThenBy(p => p.Position?.Line).ThenBy(p => p.Position?.Column).ToList();
        switch (format)
        {
            case ReportFormat.Json:
                return JsonSerializer.Serialize(new
                {
                    valid = ordered.Count == 0,
                    files = fileCount,
                    problems = ordered.Select(p => new
                    {
                        code = p.Code,
                        file = p.Position?.File,
                        line = p.Position?.Line,
                        column = p.Position?.Column,
                        path = p.Path,
                        message = p.Message,
                        hint = PolicyHints.For(p.Code),
                    }),
                }, Indented) + "\n";
            case ReportFormat.GitHub:
                var gh = new StringBuilder();
                foreach (var p in ordered)
                {
                    var at = p.Position is { } pos ? $"file={Property(pos.File)},line={pos.Line},col={pos.Column}," : "";
                    gh.Append("::error ").Append(at).Append("title=").Append(Property($"policy {p.Code}")).Append("::")
                      .Append(Data($"{p.Path}: {p.Message}. Hint: {PolicyHints.For(p.Code)}")).Append('\n');
                }
                gh.Append(Summary(ordered.Count, fileCount)).Append('\n');
                return gh.ToString();
            default:
                var text = new StringBuilder();
                foreach (var p in ordered)
                {
                    text.Append(p.Position?.ToString() ?? "-").Append(": ").Append(p.Message).Append(" [").Append(p.Code).Append(" at ").Append(p.Path).Append("]\n");
                    text.Append("    hint: ").Append(PolicyHints.For(p.Code)).Append('\n');
                }
                text.Append(Summary(ordered.Count, fileCount)).Append('\n');
                return text.ToString();
        }
    }

    private static string Summary(int problems, int files) =>
        problems == 0 ? $"{files} policy file{(files == 1 ? "" : "s")}: valid" : $"{files} policy file{(files == 1 ? "" : "s")}: {problems} problem{(problems == 1 ? "" : "s")}";

    // GitHub's escaping of workflow command data and properties.
    private static string Data(string s) => s.Replace("%", "%25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);

    private static string Property(string s) => Data(s).Replace(":", "%3A", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal);
}
