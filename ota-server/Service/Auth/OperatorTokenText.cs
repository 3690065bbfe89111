using System.Security.Cryptography;
using System.Text;

namespace AtymSecure.OtaServer.Auth;

/// <summary>
/// The text of an operator (or enrolment) token, <c>atym_ID_SECRET</c> (docs/trust-model.md §8): ID is 8 lower-case hex
/// digits (the record's key, safe to log), SECRET 32 random bytes in unpadded base64url (43 characters). Only the
/// SHA-256 of the secret is stored: 256 random bits need no slow hash, and every request must check cheaply.
/// Enrolment tokens use the prefix <c>atymenr_</c> so the two kinds cannot be mistaken for each other.
/// </summary>
public static class OperatorTokenText
{
    public const string OperatorPrefix = "atym_";
    public const string EnrollmentPrefix = "atymenr_";
    public const int SecretBytes = 32;
    private const int IdLength = 8;
    private const int SecretLength = 43;

    /// <summary>A fresh token: its id, the full text (shown once) and the secret's hash (stored).</summary>
    public static (string Id, string Text, string SecretSha256) Create(string prefix = OperatorPrefix)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdLength / 2));
        var secret = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));
        return (id, $"{prefix}{id}_{secret}", Hash(secret));
    }

    public static bool TryParse(string? text, out string id, out string secret) => TryParse(text, OperatorPrefix, out id, out secret);

    /// <summary>Splits <c>PREFIX ID _ SECRET</c>; false for anything else (no exception on hostile input).</summary>
    public static bool TryParse(string? text, string prefix, out string id, out string secret)
    {
        id = secret = "";
        if (text is null || text.Length != prefix.Length + IdLength + 1 + SecretLength || !text.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var idPart = text.AsSpan(prefix.Length, IdLength);
        if (text[prefix.Length + IdLength] != '_') return false;
        var secretPart = text.AsSpan(prefix.Length + IdLength + 1);
        foreach (var c in idPart) if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c)) return false;
        foreach (var c in secretPart) if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_') return false;
        id = idPart.ToString();
        secret = secretPart.ToString();
        return true;
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(secret)));

    /// <summary>Constant-time comparison of a presented secret with the stored hash.</summary>
    public static bool Matches(string secret, string storedSha256)
    {
        var presented = SHA256.HashData(Encoding.ASCII.GetBytes(secret));
        byte[] stored;
        try
        {
            stored = Convert.FromHexString(storedSha256);
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(presented, stored);
    }
}
