using System.Text.RegularExpressions;

namespace AtymSecure.Oci.Wire;

/// <summary>RFC 6838 §4.2 type/subtype names (parameters allowed after ';').</summary>
public static partial class MediaTypeGrammar
{
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;.*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool IsValid(string? mediaType) => mediaType is not null && Pattern().IsMatch(mediaType);
}
