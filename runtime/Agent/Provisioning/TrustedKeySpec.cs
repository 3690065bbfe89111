using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Crypto;
using AtymSecure.Primitives;

namespace AtymSecure.DeviceAgent.Provisioning;

/// <summary>
/// One <c>atym device init --trust ROLE=KEY[:PATTERN]</c> (docs/trust-model.md §2): a role, a public-key file and an
/// optional container-name pattern, as given (the key is read by <see cref="Load"/>). The pattern follows the last
/// <c>:</c>, so a key path with a <c>:</c> in it needs an explicit pattern. A bare <c>--trust KEY</c>, today's form
/// before key scopes, is refused: a key without a role is the weakness issue 11 §1 and §5 remove.
/// </summary>
public sealed record TrustedKeySpec(string Role, string KeyFile, string? Pattern)
{
    /// <exception cref="ProblemException">Not of the form ROLE=KEY[:PATTERN] (the problem names the three forms).</exception>
    public static TrustedKeySpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
            throw new ProblemException("trusted key", new Problem(TrustAnchorProblemCodes.InvalidRole, "--trust",
                $"'{text}' has no role; a trusted key is given as {BundleKeyRoles.Forms} (docs/trust-model.md §2), e.g. --trust compiler=dev.pub"));
        var role = text[..equals];
        var rest = text[(equals + 1)..];
        var colon = rest.LastIndexOf(':');
        var (key, pattern) = colon < 0 ? (rest, (string?)null) : (rest[..colon], rest[(colon + 1)..]);
        if (key.Length == 0)
            throw new ProblemException("trusted key", new Problem(TrustAnchorProblemCodes.InvalidRole, "--trust", $"'{text}' names no key file; give {BundleKeyRoles.Forms}"));
        return new TrustedKeySpec(role, key, pattern);
    }

    /// <summary>The scoped key: the file read (PEM or DER), the role and pattern checked.</summary>
    /// <exception cref="DeviceDataException">The key file is missing or not a public key.</exception>
    /// <exception cref="ProblemException">Unknown role, vendor key without a pattern, or a bad pattern.</exception>
    public TrustedBundleKey Load(string path = "--trust")
    {
        VerificationKey key;
        try
        {
            key = VerificationKey.FromFile(KeyFile);
        }
        catch (Exception e) when (e is FormatException or FileNotFoundException or IOException or UnauthorizedAccessException)
        {
            throw new DeviceDataException($"unusable trusted key: {e.Message}", e);
        }
        return TrustedBundleKey.TryCreate(Role, key, Pattern, $"{path} {Role}={KeyFile}", out var trusted, out var problems)
            ? trusted
            : throw new ProblemException("trusted key", problems);
    }

    public override string ToString() => Pattern is null ? $"{Role}={KeyFile}" : $"{Role}={KeyFile}:{Pattern}";
}
