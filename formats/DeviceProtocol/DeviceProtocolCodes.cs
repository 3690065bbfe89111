
namespace AtymSecure.Formats.DeviceProtocol;

/// <summary>Codes of a device⇄server message that does not read (docs/device-protocol.md, "Errors"). Stable wire values.</summary>
public static class DeviceProtocolCodes
{
    /// <summary>Not JSON, a wrong type, a missing or out-of-range member, or a value outside its grammar.</summary>
    public const string MessageMalformed = "message-malformed";

    /// <summary>Larger than the message's byte cap (checked before parsing).</summary>
    public const string MessageTooLarge = "message-too-large";

    /// <summary>A member this format version does not define (a new member means a new format version).</summary>
    public const string UnknownMember = "unknown-member";

    /// <summary>A <c>formatVersion</c> this reader does not know.</summary>
    public const string UnsupportedFormatVersion = "unsupported-format-version";
}
