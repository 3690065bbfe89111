namespace AtymSecure.Policies.Yaml;

/// <summary>JSON-style paths of policy fields (<c>$.spec.rules[2].keys</c>), the way every problem names its place.</summary>
public static class PolicyPath
{
    public static string Field(string parent, string key) =>
        key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? $"{parent}.{key}" : $"{parent}['{Shorten(key)}']";

    public static string Index(string parent, int index) => $"{parent}[{index}]";

    private static string Shorten(string key) => (key.Length > 64 ? key[..64] + "…" : key).Replace("'", "\\'", StringComparison.Ordinal);
}
