namespace AtymSecure.Formats.DeviceProtocol.Ddi;

/// <summary>Codes of a hawkBit DDI message that does not read (docs/ddi.md, "Errors"). Stable wire values: the server
/// answers them as problem+json <c>type</c>s, tests and device logs name them.</summary>
public static class DdiProblemCodes
{
    /// <summary>Not JSON, a wrong JSON type, a key given twice, nesting too deep.</summary>
    public const string Malformed = "ddi-malformed";

    /// <summary>Larger than the message's byte cap (checked before parsing).</summary>
    public const string TooLarge = "ddi-too-large";

    /// <summary>A member the message needs is missing or null.</summary>
    public const string Required = "ddi-required";

    /// <summary>A value outside its grammar or range (an unknown enum name, a bad hash, a non-numeric id).</summary>
    public const string Invalid = "ddi-invalid";

    /// <summary>A list or map with more entries, or a text longer, than the message allows.</summary>
    public const string TooMany = "ddi-too-many";
}
