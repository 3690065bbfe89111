using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Primitives;

namespace AtymSecure.OtaMetadata.Keys;

/// <summary>
/// Picks the online key that signs for a role: the newest key of the store whose TUF key id the trusted metadata
/// (root for snapshot and timestamp, top-level targets for compiler roles, the director root for director targets)
/// lists. A key the store holds but no metadata lists never signs: it is either not rotated in yet or revoked.
/// </summary>
public static class OnlineKeySelection
{
    public const string NoListedKey = "online-key-not-listed";

    public static IOnlineKey For(IOnlineKeyStore store, OnlineRole role, RoleKeys listed, string listedBy)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(listed);
        var key = store.Keys(role).LastOrDefault(k => listed.KeyIds.Contains(k.PublicKey.KeyId));
        if (key is not null) return key;
        throw new ProblemException("online signing", new Problem(NoListedKey, listedBy,
            $"{listedBy} lists {listed.KeyIds.Count} key(s) for the {role.Name()} role, none of which this server holds " +
            $"(it holds {string.Join(", ", store.Keys(role).Select(k => k.PublicKey.KeyId[..12]))}): list the server's key (atym tuf) or restore the key file"));
    }
}
