namespace AtymSecure.Primitives;

/// <summary>A digest that does not parse; <see cref="Reason"/> says which rule it breaks.</summary>
public sealed class InvalidDigestException(string? digest, string reason)
    : FormatException($"invalid digest '{digest}': {reason}")
{
    public string? Digest { get; } = digest;
    public string Reason { get; } = reason;
}
