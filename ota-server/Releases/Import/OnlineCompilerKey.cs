using AtymSecure.OtaMetadata.Keys;
using AtymSecure.Signer.Keys;

namespace AtymSecure.OtaReleases.Import;

/// <summary>
/// The compiler key from the metadata library (ota-server/Metadata): for each class the key its <c>compiler-CLASS</c>
/// delegation lists (<see cref="ICompilerSigningKey"/>), so devices that take compiler keys from the delegation trust
/// what the import attaches and the bundles the server cuts.
/// Its keys are ECDSA P-256 signing with RFC 6979 nonces, so two replicas holding the same key files cut byte-identical
/// bundles (as <see cref="CompilerKeyFile"/>'s Ed25519 key does).
/// </summary>
public sealed class OnlineCompilerKey(ICompilerSigningKey keys) : ICompilerKeySource
{
    public Task<ISigningKey> GetAsync(string deviceClass, CancellationToken ct = default) => Task.FromResult<ISigningKey>(keys.For(deviceClass));
}
