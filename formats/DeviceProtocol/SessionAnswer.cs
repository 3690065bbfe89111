namespace AtymSecure.Formats.DeviceProtocol;

/// <summary>
/// The session token (opaque to the device; <c>Authorization: Bearer TOKEN</c> on every device request) and its expiry
/// in unix seconds (1 h). The device fetches a new challenge before it expires, or on any 401.
/// </summary>
public sealed record SessionAnswer(string Token, long ExpiresAt)
{
    public const int FormatVersion = 1;
    public const int MaxBytes = 2048;

    public byte[] ToJson() => ProtocolJson.Write(FormatVersion, ("token", Token), ("expiresAt", ExpiresAt));

    public static SessionAnswer Parse(ReadOnlySpan<byte> json) => ProtocolJson.Read(json, MaxBytes, FormatVersion, ["token", "expiresAt"],
        f => new SessionAnswer(ProtocolJson.Text(f, "token", ProtocolJson.TokenGrammar(), "a token", 512), f.Integer("expiresAt", 0, UnixTime.Max)));
}
