using System.Security.Cryptography;
using AtymSecure.Formats.Crypto;

namespace AtymSecure.OtaDashboard.Pages;

/// <summary>
/// The server's vendor key files by the key id the releases record for a signer (hex SHA-256 of the DER
/// SubjectPublicKeyInfo, the trust policy's <c>spkiSha256</c>), so the releases page can say which file's key signed.
/// Read once from the releases library's <c>VendorKeyFiles</c> (already loaded and checked at start by its TrustedKeys).
/// </summary>
public sealed class VendorKeyNames
{
    private readonly IReadOnlyDictionary<string, string> _names;

    private VendorKeyNames(IReadOnlyDictionary<string, string> names) => _names = names;

    public static VendorKeyNames None { get; } = new(new Dictionary<string, string>());

    public static VendorKeyNames Load(IEnumerable<string> keyFiles)
    {
        ArgumentNullException.ThrowIfNull(keyFiles);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in keyFiles)
            names.TryAdd(KeyId(VerificationKey.FromFile(file)), Path.GetFileName(file));
        return new VendorKeyNames(names);
    }

    /// <summary>Hex SHA-256 of the key's SPKI: the id <c>ReleasePolicyFacts.Signers</c> holds.</summary>
    public static string KeyId(VerificationKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(key.Spki));
    }

    /// <summary>The file name of the vendor key with id <paramref name="keyId"/>, or null when the server has no such file (any more).</summary>
    public string? FileOf(string keyId) => _names.TryGetValue(keyId, out var name) ? name : null;
}
