using System.Text.Json;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Signer.Wire;

namespace AtymSecure.Signer.Bundles;

/// <summary>In-toto statements about one OCI manifest (the subject is always the manifest digest).</summary>
public static class Statements
{
    /// <summary>The predicate type cosign v3 uses for a plain signature in a DSSE bundle.</summary>
    public const string CosignSignPredicateType = "https://sigstore.dev/cosign/sign/v1";

    /// <summary>
    /// The statement <c>atym sign</c> signs: "this manifest digest was signed", cosign v3 style.
    /// </summary>
    /// <param name="name">subject name, e.g. the repository (informational; the digest is what binds)</param>
    public static InTotoStatement ForSignature(Digest manifestDigest, string name) =>
        About(manifestDigest, name, CosignSignPredicateType, JsonDocument.Parse("{}").RootElement.Clone());

    /// <summary>A statement with any predicate about the manifest.</summary>
    public static InTotoStatement About(Digest manifestDigest, string name, string predicateType, JsonElement predicate)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(predicateType);
        if (!manifestDigest.IsSupported) throw new ArgumentException($"digest algorithm '{manifestDigest.Algorithm}' is not supported", nameof(manifestDigest));
        return new InTotoStatement
        {
            Type = InTotoStatement.TypeV1,
            Subject = [new ResourceDescriptor { Name = name, Digest = new Dictionary<string, string> { [manifestDigest.Algorithm] = manifestDigest.Encoded } }],
            PredicateType = predicateType,
            Predicate = predicate,
        };
    }

    /// <summary>A statement whose predicate is a typed SLSA / CycloneDX / other record.</summary>
    public static InTotoStatement About<TPredicate>(Digest manifestDigest, string name, string predicateType, TPredicate predicate) =>
        About(manifestDigest, name, predicateType, SignerJson.ToElement(predicate));
}
