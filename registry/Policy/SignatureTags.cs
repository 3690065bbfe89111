using System.Text.RegularExpressions;

namespace AtymSecure.RegistryPolicy;

/// <summary>
/// Tags that carry signatures rather than releases, exempt from protection: cosign's <c>sha256-HEX.sig</c>,
/// <c>.att</c> and <c>.sbom</c>, and the OCI referrers fallback tag <c>sha256-HEX</c>. Refusing them would make it
/// impossible to sign a manifest before tagging it; they point at signatures, which no trust rule is about.
/// </summary>
public static partial class SignatureTags
{
    [GeneratedRegex("^(sha256-[0-9a-f]{64}|sha512-[0-9a-f]{128})(\\.sig|\\.att|\\.sbom)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();

    public static bool IsExempt(string tag) => Grammar().IsMatch(tag);
}
