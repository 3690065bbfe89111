namespace AtymSecure.Formats.Crypto;

/// <summary>A public key (PEM or DER SubjectPublicKeyInfo) that cannot be used: malformed, too large or unsupported.</summary>
public sealed class InvalidPublicKeyException(string reason) : FormatException($"invalid public key: {reason}")
{
    public string Reason { get; } = reason;
}
