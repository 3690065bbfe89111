using System.Security.Cryptography;
using AtymSecure.Formats.Crypto;

namespace AtymSecure.Formats.Bundle;

/// <summary>
/// Checks a bundle before any flash write, in the order TUF/Uptane recommend: signature by a
/// trusted key first (nothing unsigned is looked at further), then freshness, device class,
/// anti-rollback counter, size and base.
/// </summary>
public static class BundleVerifier
{
    public static VerifiedBundle Verify(BundleEnvelope envelope, IReadOnlyCollection<VerificationKey> trustedKeys, BundleExpectations expect)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(trustedKeys);
        ArgumentNullException.ThrowIfNull(expect);
        var input = BundleLayout.SignatureInput(envelope.SignedPrefix);
        VerificationKey? signer = null;
        foreach (var signature in envelope.Signatures)
        {
            // The key id is only a hint: try it first, but a signature must verify under a trusted key.
            var candidates = trustedKeys.Where(k => k.Algorithm == signature.Algorithm)
                .OrderByDescending(k => k.KeyId == signature.KeyId);
            signer = candidates.FirstOrDefault(k => k.Verify(input, signature.Signature));
            if (signer is not null) break;
        }
        if (signer is null)
            throw new BundleVerificationException(BundleRejection.NoTrustedSignature, "no signature on the bundle verifies under a trusted key");

        var h = envelope.Header;
        if (expect.Now >= h.Expires)
            throw new BundleVerificationException(BundleRejection.Expired, $"bundle expired at {h.Expires:O} (device time {expect.Now:O})");
        if (!string.Equals(h.DeviceClass, expect.DeviceClass, StringComparison.Ordinal))
            throw new BundleVerificationException(BundleRejection.WrongDeviceClass, $"bundle is for device class '{h.DeviceClass}', this device is '{expect.DeviceClass}'");
        if (h.SecurityCounter < expect.MinimumSecurityCounter)
            throw new BundleVerificationException(BundleRejection.CounterTooLow, $"bundle security counter {h.SecurityCounter} is below the device's {expect.MinimumSecurityCounter}");
        if (h.TargetSize > expect.SlotCapacity)
            throw new BundleVerificationException(BundleRejection.TooLarge, $"target image of {h.TargetSize} bytes does not fit the {expect.SlotCapacity}-byte slot");
        if (h.PayloadKind == PayloadKind.Delta &&
            (expect.InstalledDigest is null || !CryptographicOperations.FixedTimeEquals(expect.InstalledDigest, h.BaseDigest)))
            throw new BundleVerificationException(BundleRejection.BaseMismatch, "delta bundle was cut from another base than the image this device runs");
        return new VerifiedBundle(envelope, signer.KeyId);
    }
}

/// <summary>A bundle whose header passed every check. Constructed only by <see cref="BundleVerifier"/>.</summary>
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
