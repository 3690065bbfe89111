using AtymSecure.OtaMetadata.Keys;
using AtymSecure.Signer.Keys;

namespace AtymSecure.OtaReleases.Import;

/// <summary>
/// The compiler key from the online key store (ota-server/Metadata): the newest key of <see cref="OnlineRole.Compiler"/>,
/// the one a rotation adds to the <c>compiler-CLASS</c> delegations. Made on first use when the store has none.
/// Its keys are ECDSA P-256 today: bundles cut by two replicas then differ in their signature bytes (.NET draws a
/// random ECDSA nonce) while header and payload are identical; <see cref="CompilerKeyFile"/>'s Ed25519 key gives
/// byte-identical bundles.
/// </summary>
public sealed class OnlineCompilerKey(IOnlineKeyStore store) : ICompilerKeySource
{
    public Task<ISigningKey> GetAsync(CancellationToken ct = default)
    {
        var keys = store.Keys(OnlineRole.Compiler);
        return Task.FromResult<ISigningKey>(keys.Count > 0 ? keys[^1] : store.Generate(OnlineRole.Compiler));
    }
}
