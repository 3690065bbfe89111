using System.Text;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Oci.Remote;

/// <summary>
/// The referrers tag schema used when a registry has no referrers API: <c>&lt;alg&gt;-&lt;encoded&gt;</c>,
/// algorithm truncated to 32 characters, encoded part to 64, characters not allowed in a tag replaced by '-'.
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#referrers-tag-schema
/// </summary>
public static class ReferrersTag
{
    public static string For(Digest subject)
    {
        var alg = subject.Algorithm.Length > 32 ? subject.Algorithm[..32] : subject.Algorithm;
        var enc = subject.Encoded.Length > 64 ? subject.Encoded[..64] : subject.Encoded;
        var sb = new StringBuilder(alg.Length + enc.Length + 1);
        foreach (var c in alg + "-" + enc) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-');
        return sb.ToString();
    }
}
