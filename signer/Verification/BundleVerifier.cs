using System.Security.Cryptography;
using AtymSecure.Formats.Crypto;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Signer.Wire;

namespace AtymSecure.Signer.Verification;

/// <summary>What a bundle holds.</summary>
public enum BundleContent
{
    DsseEnvelope = 1,
    MessageSignature,
    /// <summary>A cosign simple-signing payload from a legacy <c>.sig</c> tag.</summary>
    LegacyCosignSignature,
}

/// <summary>A bundle that verified: which trusted key signed it and what it says.</summary>
public sealed record VerifiedBundle(BundleContent Content, string KeyId, SignatureAlgorithm Algorithm, string? PredicateType, InTotoStatement? Statement);

/// <summary>
/// Checks one Sigstore bundle against trusted keys and the artifact it should be about, with no
/// network: the signature (DSSE PAE or message bytes), the statement subject (DSSE) or the
/// messageDigest (message signature — sigstore-js skips this without a tlog entry; we do not).
/// Every failure is a specific <see cref="SignatureVerificationException"/>.
/// </summary>
public static class BundleVerifier
{
    /// <param name="bundleJson">the bundle as fetched</param>
    /// <param name="subject">digest of the artifact the bundle must be about (the manifest digest)</param>
    /// <param name="artifact">the artifact bytes (manifest bytes); needed for message-signature bundles</param>
    public static VerifiedBundle Verify(ReadOnlySpan<byte> bundleJson, TrustedKeys trustedKeys, Digest subject, ReadOnlySpan<byte> artifact)
    {
        ArgumentNullException.ThrowIfNull(trustedKeys);
        var declared = OciJson.PeekMediaType(bundleJson);
        if (declared is not null && !BundleMediaTypes.IsSupported(declared))
            throw new UnsupportedMediaTypeException($"bundle media type '{declared}' is not supported (expected {BundleMediaTypes.V03})");

        SigstoreBundle bundle;
        try
        {
            bundle = SigstoreBundle.Parse(bundleJson);
        }
        catch (MalformedDocumentException e)
        {
            throw new MalformedBundleException(e.Message, e);
        }
        if (!BundleMediaTypes.IsSupported(bundle.MediaType))
            throw new UnsupportedMediaTypeException($"bundle media type '{bundle.MediaType}' is not supported (expected {BundleMediaTypes.V03})");
        var material = bundle.VerificationMaterial!;
        if (material.PublicKey is null)
            throw new UntrustedKeyException("bundle is verified by an X.509 certificate (keyless); only trusted public keys are supported");
        var hint = material.PublicKey.Hint;

        return bundle.DsseEnvelope is { } envelope
            ? VerifyDsse(envelope, trustedKeys, hint, subject)
            : VerifyMessage(bundle.MessageSignature!, trustedKeys, hint, subject, artifact);
    }

    private static VerifiedBundle VerifyDsse(DsseEnvelope envelope, TrustedKeys keys, string? hint, Digest subject)
    {
        var signer = keys.FindSigner(envelope.PreAuthenticationEncoding(), envelope.Signatures![0].Sig, hint)
            ?? throw NoTrustedSigner(keys, hint, "DSSE envelope");
        if (envelope.PayloadType != InTotoStatement.PayloadType)
            throw new UnsupportedMediaTypeException($"DSSE payloadType '{envelope.PayloadType}' is not {InTotoStatement.PayloadType}");
        InTotoStatement statement;
        try
        {
            statement = InTotoStatement.Parse(envelope.Payload);
        }
        catch (MalformedDocumentException e)
        {
            throw new MalformedBundleException($"signed payload: {e.Message}", e);
        }
        if (!statement.HasSubjectDigest(subject.Algorithm, subject.Encoded))
        {
            var named = string.Join(", ", statement.Subject!.SelectMany(s => s.Digest!.Select(d => $"{d.Key}:{d.Value}")));
            throw new SubjectMismatchException($"the signed statement is about {named}, not {subject}");
        }
        return new VerifiedBundle(BundleContent.DsseEnvelope, signer.KeyId, signer.Algorithm, statement.PredicateType, statement);
    }

    private static VerifiedBundle VerifyMessage(MessageSignature message, TrustedKeys keys, string? hint, Digest subject, ReadOnlySpan<byte> artifact)
    {
        if (message.MessageDigest!.Algorithm != HashOutput.Sha256)
            throw new UnsupportedMediaTypeException($"messageDigest algorithm '{message.MessageDigest.Algorithm}' is not supported (only {HashOutput.Sha256})");
        if (!subject.Matches(artifact))
            throw new DigestMismatchException($"the artifact bytes given do not hash to {subject}");
        var actual = SHA256.HashData(artifact);
        if (!CryptographicOperations.FixedTimeEquals(actual, message.MessageDigest.Digest))
            throw new DigestMismatchException(
                $"messageDigest {Convert.ToHexStringLower(message.MessageDigest.Digest!)} is not the SHA-256 of the artifact ({Convert.ToHexStringLower(actual)})");
        var signer = keys.FindSigner(artifact, message.Signature, hint) ?? throw NoTrustedSigner(keys, hint, "message signature");
        return new VerifiedBundle(BundleContent.MessageSignature, signer.KeyId, signer.Algorithm, null, null);
    }

    /// <summary>BadSignature when the hint names a trusted key (so that key's signature is broken), else UntrustedKey.</summary>
    internal static SignatureVerificationException NoTrustedSigner(TrustedKeys keys, string? hint, string what) =>
        keys.Contains(hint)
            ? new BadSignatureException($"{what} signature does not verify with trusted key {hint} (tampered payload or signature)")
            : new UntrustedKeyException(
                $"{what} signature does not verify with any of the {keys.Keys.Count} trusted key(s); its key hint '{hint ?? "(none)"}' names none of them");
}
