using AtymSecure.Oci.Wire;
using AtymSecure.Signer.Wire;

namespace AtymSecure.Signer.Attach;

/// <summary>A bundle now stored as a referrer of <see cref="Subject"/>.</summary>
/// <param name="Referrer">the referrer manifest (artifactType = bundle media type)</param>
/// <param name="BundleBlob">the layer holding the bundle JSON</param>
/// <param name="LegacySignature">the cosign <c>.sig</c> manifest, when one was written</param>
public sealed record AttachedBundle(Descriptor Subject, Descriptor Referrer, Descriptor BundleBlob, SigstoreBundle Bundle, byte[] BundleJson,
    Descriptor? LegacySignature = null);
