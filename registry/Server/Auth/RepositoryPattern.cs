using System.Text;
using System.Text.RegularExpressions;

namespace AtymSecure.Registry.Auth;

/// <summary>Repository globs of grants: <c>*</c> matches within one segment, <c>**</c> across segments, <c>?</c> one character.</summary>
public sealed class RepositoryPattern
{
    private readonly Regex _regex;

    public RepositoryPattern(string glob)
    {
        ArgumentNullException.ThrowIfNull(glob);
        Glob = glob;
        var pattern = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*') { pattern.Append(".*"); i++; }
            else if (c == '*') pattern.Append("[^/]*");
            else if (c == '?') pattern.Append("[^/]");
            else pattern.Append(Regex.Escape(c.ToString()));
        }
        pattern.Append('$');
        _regex = new Regex(pattern.ToString(), RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
    }

    public string Glob { get; }

    public bool Matches(string repository) => _regex.IsMatch(repository);
}
