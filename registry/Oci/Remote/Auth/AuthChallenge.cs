using System.Text;

namespace AtymSecure.Oci.Remote.Auth;

/// <summary>
/// A parsed <c>WWW-Authenticate</c> challenge (RFC 9110 §11.6.1): scheme plus auth-params such as
/// <c>realm</c>, <c>service</c>, <c>scope</c> of the Docker token flow
/// (https://distribution.github.io/distribution/spec/auth/token/).
/// </summary>
public sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public const int MaxHeaderLength = 8192;

    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);
    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);
    public string? Realm => Parameters.GetValueOrDefault("realm");
    public string? Service => Parameters.GetValueOrDefault("service");

    /// <summary>Scopes asked for (space separated in one <c>scope</c> param).</summary>
    public IReadOnlyList<string> Scopes => Parameters.TryGetValue("scope", out var s)
        ? s.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];

    /// <summary>Parses one challenge; null when the text is not a well-formed challenge.</summary>
    public static AuthChallenge? TryParse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header) || header.Length > MaxHeaderLength) return null;
        var i = 0;
        SkipSpaces(header, ref i);
        var start = i;
        while (i < header.Length && IsTokenChar(header[i])) i++;
        if (i == start) return null;
        var scheme = header[start..i];
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            SkipSpaces(header, ref i);
            if (i < header.Length && header[i] == ',') { i++; continue; }
            if (i >= header.Length) break;
            start = i;
            while (i < header.Length && IsTokenChar(header[i])) i++;
            if (i == start) return null;
            var name = header[start..i];
            SkipSpaces(header, ref i);
            if (i >= header.Length || header[i] != '=') return null;
            i++;
            SkipSpaces(header, ref i);
            string value;
            if (i < header.Length && header[i] == '"')
            {
                i++;
                var sb = new StringBuilder();
                while (i < header.Length && header[i] != '"')
                {
                    if (header[i] == '\\' && i + 1 < header.Length) i++;
                    sb.Append(header[i++]);
                }
                if (i >= header.Length) return null;
                i++;
                value = sb.ToString();
            }
            else
            {
                start = i;
                while (i < header.Length && IsTokenChar(header[i])) i++;
                value = header[start..i];
            }
            parameters[name] = value;
        }
        return new AuthChallenge(scheme, parameters);
    }

    private static void SkipSpaces(string s, ref int i)
    {
        while (i < s.Length && (s[i] == ' ' || s[i] == '\t')) i++;
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~/:".Contains(c, StringComparison.Ordinal);
}
