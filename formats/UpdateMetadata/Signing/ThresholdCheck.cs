using AtymSecure.Formats.UpdateMetadata.Model;

namespace AtymSecure.Formats.UpdateMetadata.Signing;

/// <summary>
/// Counts the signatures that make a metadata file trusted for a role (TUF §5.3–5.6): a signature counts only when
/// its key id is one of the role's, the key is known, and it verifies over the canonical <c>signed</c> bytes.
/// Distinct keys count, by public key: two signatures of one key, or one key under two ids, count once.
/// Unknown key ids are skipped without any crypto, so padding a file with signatures costs an attacker, not us.
/// </summary>
public static class ThresholdCheck
{
    public static int CountValid<T>(SignedMetadata<T> metadata, IReadOnlyDictionary<string, TufKey> keys, RoleKeys role)
        where T : RoleMetadata, IRoleMetadata<T>
    {
        var counted = new HashSet<string>(StringComparer.Ordinal);
        var tried = new HashSet<string>(StringComparer.Ordinal);
        foreach (var signature in metadata.Signatures)
        {
            if (!role.KeyIds.Contains(signature.KeyId) || !keys.TryGetValue(signature.KeyId, out var key)) continue;
            if (counted.Contains(key.PublicKeyIdentity) || !tried.Add(signature.Sig)) continue;
            if (key.VerificationKey.Verify(metadata.SignedBytes, Convert.FromHexString(signature.Sig))) counted.Add(key.PublicKeyIdentity);
        }
        return counted.Count;
    }

    /// <summary>Throws <c>threshold-not-met</c> unless at least <see cref="RoleKeys.Threshold"/> distinct keys of the role signed.</summary>
    public static void Require<T>(SignedMetadata<T> metadata, IReadOnlyDictionary<string, TufKey> keys, RoleKeys role, string roleName)
        where T : RoleMetadata, IRoleMetadata<T>
    {
        var valid = CountValid(metadata, keys, role);
        if (valid < role.Threshold)
            throw new MetadataRefusedException(new MetadataRefusal(ReasonCodes.ThresholdNotMet, "$.signatures",
                $"{valid} valid signature(s) by distinct keys of role '{roleName}', threshold {role.Threshold}", Role: roleName));
    }
}
