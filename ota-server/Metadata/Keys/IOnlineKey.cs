using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.Signer.Keys;

namespace AtymSecure.OtaMetadata.Keys;

/// <summary>
/// One online private key. It signs TUF metadata (<see cref="IMetadataSigner"/>, hex key id over the canonical key)
/// and, for the compiler role, bundles and compiled-output referrers (<see cref="ISigningKey"/>, base64 SPKI hint):
/// the same key under its two id spellings (docs/trust-model.md §11.12). A KMS or PKCS#11 key implements this
/// interface without the private half ever entering the process.
/// </summary>
public interface IOnlineKey : IMetadataSigner, ISigningKey
{
    OnlineRole Role { get; }

    /// <summary>Position in the role's key history (1 = first key); the newest key signs when several are trusted.</summary>
    int Generation { get; }
}
