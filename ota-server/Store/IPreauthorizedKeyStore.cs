namespace AtymSecure.OtaStore;

/// <summary>Keys allowed to enrol without a token.</summary>
public interface IPreauthorizedKeyStore
{
    bool TryAdd(PreauthorizedKey key);

    PreauthorizedKey? Find(string keyFingerprint);

    bool Remove(string keyFingerprint);
}
