namespace AtymSecure.OtaMetadata.Keys;

/// <summary>
/// The compiler key for the releases library: it signs compiled-output referrers and every bundle the server cuts
/// with the same key the <c>compiler-CLASS</c> delegation lists, so a device finds the bundle's signer among the
/// delegation's verified keys (docs/trust-model.md §3 step 13). Use it as a <see cref="Signer.Keys.ISigningKey"/>.
/// </summary>
public interface ICompilerSigningKey
{
    /// <summary>The key to sign <paramref name="deviceClass"/>'s outputs with: the one its delegation lists (the newest key before one exists).</summary>
    IOnlineKey For(string deviceClass);
}
