using AtymSecure.Formats.Crypto;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Bundle;

/// <summary>
/// Checks a bundle before any flash write, in the order TUF/Uptane recommend: signature by a trusted key first
/// (nothing unsigned is looked at further), then freshness, then whether it fits the device
/// (<see cref="DeviceFitChecks"/>: class, size, counter, base). Every failed check is reported, not only the first.
/// </summary>
public static class BundleVerifier
{
    /// <summary>Every problem with <paramref name="envelope"/> for the device <paramref name="expect"/> describes.</summary>
    public static BundleVerification Check(BundleEnvelope envelope, IReadOnlyCollection<VerificationKey> trustedKeys, BundleExpectations expect)
    {
        ArgumentNullException.ThrowIfNull(expect);
        var authenticity = CheckAuthenticity(envelope, trustedKeys, expect.Now);
        if (authenticity.Signer is null) return authenticity;
        return new BundleVerification(envelope, authenticity.Signer, [.. authenticity.Problems, .. DeviceFitChecks.Check(InstallCandidate.Of(envelope.Header), expect)]);
    }

    /// <summary>The bundle, verified for the device <paramref name="expect"/> describes.</summary>
    /// <exception cref="BundleVerificationException">Lists every problem <see cref="Check"/> found.</exception>
    public static VerifiedBundle Verify(BundleEnvelope envelope, IReadOnlyCollection<VerificationKey> trustedKeys, BundleExpectations expect) =>
        Check(envelope, trustedKeys, expect).OrThrow();

    /// <summary>
    /// Signature and expiry only: the half that needs the bundle's own material. The bootloader runs this as the
    /// bundle's pre-check and <see cref="DeviceFitChecks"/> itself, for this and any other kind of install image.
    /// </summary>
    public static BundleVerification CheckAuthenticity(BundleEnvelope envelope, IReadOnlyCollection<VerificationKey> trustedKeys, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(trustedKeys);
        var signer = TrustedSigner(envelope, trustedKeys);
        if (signer is null)
            return new BundleVerification(envelope, null, [new Problem(ReasonCodes.UntrustedSigner, "signatures", "no signature on the bundle verifies under a trusted key")]);
        var h = envelope.Header;
        return new BundleVerification(envelope, signer, now >= h.Expires
            ? [new Problem(ReasonCodes.BundleExpired, "expires", $"bundle expired at {h.Expires:O} (device time {now:O})")]
            : []);
    }

    private static VerificationKey? TrustedSigner(BundleEnvelope envelope, IReadOnlyCollection<VerificationKey> trustedKeys)
    {
        var input = BundleLayout.SignatureInput(envelope.SignedPrefix);
        foreach (var signature in envelope.Signatures)
        {
            // The key id is only a hint: try it first, but a signature must verify under a trusted key.
            var signer = trustedKeys.Where(k => k.Algorithm == signature.Algorithm)
                .OrderByDescending(k => k.KeyId == signature.KeyId)
                .FirstOrDefault(k => k.Verify(input, signature.Signature));
            if (signer is not null) return signer;
        }
        return null;
    }
}

/// <summary>The outcome of <see cref="BundleVerifier"/>: every problem found, and the verified bundle when there are none.</summary>
public sealed class BundleVerification
{
    internal BundleVerification(BundleEnvelope envelope, VerificationKey? signer, IReadOnlyList<Problem> problems)
    {
        Signer = signer;
        Problems = problems;
        Bundle = signer is not null && problems.Count == 0 ? new VerifiedBundle(envelope, signer.KeyId) : null;
    }

    /// <summary>The trusted key that signed the bundle; null when none did.</summary>
    public VerificationKey? Signer { get; }

    public IReadOnlyList<Problem> Problems { get; }

    /// <summary>The bundle, when every check passed.</summary>
    public VerifiedBundle? Bundle { get; }

    /// <exception cref="BundleVerificationException">Lists <see cref="Problems"/> when there are any.</exception>
    public VerifiedBundle OrThrow() => Bundle ?? throw new BundleVerificationException(Problems);
}

/// <summary>A bundle whose checks passed. Constructed only by <see cref="BundleVerifier"/>.</summary>
public sealed class VerifiedBundle
{
    internal VerifiedBundle(BundleEnvelope envelope, string signerKeyId)
    {
        Envelope = envelope;
        SignerKeyId = signerKeyId;
    }

    public BundleEnvelope Envelope { get; }
    public BundleHeader Header => Envelope.Header;
    public string SignerKeyId { get; }

    /// <summary>
    /// The payload as a stream that releases each chunk only after its SHA-256 matched the signed
    /// header. <paramref name="payload"/> must be positioned at chunk <paramref name="startChunk"/>
    /// (resume after a cut connection with an HTTP Range request from <see cref="ChunkOffset"/>).
    /// </summary>
    public Stream OpenPayload(Stream payload, int startChunk = 0) => new VerifiedPayloadStream(Header, payload, startChunk);

    /// <summary>Offset of chunk <paramref name="index"/> from the start of the bundle file.</summary>
    public long ChunkOffset(int index) => Envelope.PayloadOffset + (long)index * Header.ChunkSize;
}
