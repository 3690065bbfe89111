using AtymSecure.Primitives;

namespace AtymSecure.Formats.Bundle;

/// <summary>
/// Checks a bundle before any flash write, in the order TUF/Uptane recommend: a signature by a trusted key whose
/// scope covers the bundle first (<see cref="BundleSignerCheck"/>, docs/trust-model.md §3 step 13: nothing unsigned
/// or out of scope is looked at further), then freshness, then whether it fits the device
/// (<see cref="DeviceFitChecks"/>: class, size, counter, base). Every failed check is reported, not only the first.
/// </summary>
public static class BundleVerifier
{
    /// <summary>Every problem with <paramref name="envelope"/> for the device <paramref name="expect"/> describes.</summary>
    public static BundleVerification Check(BundleEnvelope envelope, BundleTrustAnchors trusted, BundleExpectations expect)
    {
        ArgumentNullException.ThrowIfNull(expect);
        var authenticity = CheckAuthenticity(envelope, trusted, expect.Now);
        if (authenticity.Signer is null) return authenticity;
        return new BundleVerification(envelope, authenticity.Signer, [.. authenticity.Problems, .. DeviceFitChecks.Check(InstallCandidate.Of(envelope.Header), expect)]);
    }

    /// <summary>The bundle, verified for the device <paramref name="expect"/> describes.</summary>
    /// <exception cref="BundleVerificationException">Lists every problem <see cref="Check"/> found.</exception>
    public static VerifiedBundle Verify(BundleEnvelope envelope, BundleTrustAnchors trusted, BundleExpectations expect) =>
        Check(envelope, trusted, expect).OrThrow();

    /// <summary>
    /// Signer (in scope) and expiry only: the half that needs the bundle's own material. The bootloader runs this as
    /// the bundle's pre-check and <see cref="DeviceFitChecks"/> itself, for this and any other kind of install image.
    /// </summary>
    public static BundleVerification CheckAuthenticity(BundleEnvelope envelope, BundleTrustAnchors trusted, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(trusted);
        var (signer, problem) = BundleSignerCheck.Check(envelope, trusted);
        if (signer is null) return new BundleVerification(envelope, null, [problem!]);
        var h = envelope.Header;
        return new BundleVerification(envelope, signer, now >= h.Expires
            ? [new Problem(ReasonCodes.BundleExpired, "expires", $"bundle expired at {h.Expires:O} (device time {now:O})")]
            : []);
    }
}

/// <summary>The outcome of <see cref="BundleVerifier"/>: every problem found, and the verified bundle when there are none.</summary>
public sealed class BundleVerification
{
    internal BundleVerification(BundleEnvelope envelope, TrustedBundleKey? signer, IReadOnlyList<Problem> problems)
    {
        Signer = signer;
        Problems = problems;
        Bundle = signer is not null && problems.Count == 0 ? new VerifiedBundle(envelope, signer) : null;
    }

    /// <summary>The trusted key whose scope covers the bundle and that signed it; null when none did.</summary>
    public TrustedBundleKey? Signer { get; }

    public IReadOnlyList<Problem> Problems { get; }

    /// <summary>The bundle, when every check passed.</summary>
    public VerifiedBundle? Bundle { get; }

    /// <exception cref="BundleVerificationException">Lists <see cref="Problems"/> when there are any.</exception>
    public VerifiedBundle OrThrow() => Bundle ?? throw new BundleVerificationException(Problems);
}

/// <summary>A bundle whose checks passed. Constructed only by <see cref="BundleVerifier"/>.</summary>
public sealed class VerifiedBundle
{
    internal VerifiedBundle(BundleEnvelope envelope, TrustedBundleKey signer)
    {
        Envelope = envelope;
        Signer = signer;
    }

    public BundleEnvelope Envelope { get; }
    public BundleHeader Header => Envelope.Header;

    /// <summary>The trusted key (with its role and pattern) that vouched for the bundle.</summary>
    public TrustedBundleKey Signer { get; }
    public string SignerKeyId => Signer.Key.KeyId;

    /// <summary>
    /// The payload as a stream that releases each chunk only after its SHA-256 matched the signed
    /// header. <paramref name="payload"/> must be positioned at chunk <paramref name="startChunk"/>
    /// (resume after a cut connection with an HTTP Range request from <see cref="ChunkOffset"/>).
    /// </summary>
    public Stream OpenPayload(Stream payload, int startChunk = 0) => new VerifiedPayloadStream(Header, payload, startChunk);

    /// <summary>Offset of chunk <paramref name="index"/> from the start of the bundle file.</summary>
    public long ChunkOffset(int index) => Envelope.ChunkOffset(index);
}
