namespace AtymSecure.OtaMetadata.Keys;

/// <summary>
/// Where the server's online keys live: files in the data folder today (<see cref="FileOnlineKeyStore"/>), a KMS or
/// PKCS#11 token later. A role can hold several keys at once, oldest first, because a rotation has a window: the new
/// key exists before the operator lists it in the next root (or delegation), and the old one is still the trusted
/// one until then. Which key signs is decided by the metadata that lists them (<see cref="OnlineKeySelection"/>).
/// </summary>
public interface IOnlineKeyStore
{
    /// <summary>Every key of <paramref name="role"/>, oldest first (empty when none was made yet).</summary>
    IReadOnlyList<IOnlineKey> Keys(OnlineRole role);

    /// <summary>Makes a new key for <paramref name="role"/>, after the existing ones; the next root or delegation can list it.</summary>
    IOnlineKey Generate(OnlineRole role);
}
