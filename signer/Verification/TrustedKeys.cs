using AtymSecure.Formats.Crypto;

namespace AtymSecure.Signer.Verification;

/// <summary>
/// The public keys a verifier trusts. Key hints in bundles are unauthenticated: they only decide
/// which trusted key is tried first, never whether a key is trusted.
/// </summary>
public sealed class TrustedKeys
{
    private readonly List<VerificationKey> _keys;

    public TrustedKeys(IEnumerable<VerificationKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = [];
        foreach (var k in keys)
            if (!_keys.Any(existing => existing.KeyId == k.KeyId)) _keys.Add(k);
        if (_keys.Count == 0) throw new ArgumentException("at least one trusted key is required", nameof(keys));
    }

    public static TrustedKeys Of(params VerificationKey[] keys) => new(keys);

    /// <summary>Reads PEM or DER public keys from files (one key per file, each bounded before it is read).</summary>
    public static TrustedKeys LoadFiles(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return new TrustedKeys([.. paths.Select(VerificationKey.FromFile)]);
    }

    public IReadOnlyList<VerificationKey> Keys => _keys;

    public bool Contains(string? keyId) => keyId is not null && _keys.Any(k => k.KeyId == keyId);

    /// <summary>All trusted keys, the one matching <paramref name="hint"/> (if any) first.</summary>
    public IEnumerable<VerificationKey> InTryOrder(string? hint) =>
        _keys.OrderBy(k => k.KeyId == hint ? 0 : 1);

    /// <summary>The trusted key that verifies the signature, or null.</summary>
    public VerificationKey? FindSigner(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, string? hint)
    {
        foreach (var key in InTryOrder(hint))
            if (key.Verify(data, signature)) return key;
        return null;
    }
}
