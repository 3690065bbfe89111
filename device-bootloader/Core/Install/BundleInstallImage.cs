using AtymSecure.Bootloader.State;
using AtymSecure.Formats;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.Delta;
using AtymSecure.Primitives;

namespace AtymSecure.Bootloader.Install;

/// <summary>
/// A bundle (formats/Bundle, docs/bundle-format.md) as an install source: its signed header gives
/// the metadata, <see cref="Check"/> is its authenticity half (<see cref="BundleVerifier.CheckAuthenticity"/>:
/// a signature by a trusted key whose role and pattern cover the bundle, expiry; plus what this installer can record), the installer adds the device fit
/// (<see cref="DeviceInstallChecks"/>: class, size, counter, delta base, once), and
/// the payload is read through the chunk-verifying stream. Full images must be uncompressed;
/// deltas are formats/Delta patches (SeqDiff or zstd-prefix, named in the patch header).
/// </summary>
public sealed class BundleInstallImage : IInstallImage, IInstallPreCheck
{
    private readonly BundleEnvelope _envelope;
    private readonly Func<Stream> _openBundle;
    private readonly BundleTrustAnchors _trusted;
    private readonly List<Problem> _metadataProblems = [];
    private VerifiedBundle? _verified;

    /// <param name="envelope">The parsed (not yet trusted) bundle prefix.</param>
    /// <param name="openBundle">Opens the whole bundle from its first byte (called once per payload read).</param>
    /// <param name="trusted">The keys allowed to sign bundles for this device, each with its role and container pattern.</param>
    public BundleInstallImage(BundleEnvelope envelope, Func<Stream> openBundle, BundleTrustAnchors trusted)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(openBundle);
        ArgumentNullException.ThrowIfNull(trusted);
        _envelope = envelope;
        _openBundle = openBundle;
        _trusted = trusted;
        var h = envelope.Header;

        // The one version type: any version a valid config and bundle carry, the device records (state record v2).
        // A header whose version is not SemVer fails h.Validate() below; 0.0.0 only stands in until it is refused.
        Version = SemanticVersion.TryParse(h.ContainerVersion, out var version) ? version : SemanticVersion.Release(0, 0, 0);
        if (h.SecurityCounter > uint.MaxValue)
            _metadataProblems.Add(new(ReasonCodes.BundleMalformed, "securityCounter", $"security counter {h.SecurityCounter} exceeds what the device records"));
        if (h.PayloadKind == PayloadKind.Full && h.Codec != PayloadCodec.None)
            _metadataProblems.Add(new(ReasonCodes.BundleMalformed, "codec", $"full images with codec {h.Codec} are not supported by this installer"));
        _metadataProblems.AddRange(h.Validate());
    }

    public string ContainerName => _envelope.Header.ContainerName;
    public SemanticVersion Version { get; }
    public uint SecurityCounter => (uint)Math.Min(_envelope.Header.SecurityCounter, uint.MaxValue);
    public string DeviceClass => _envelope.Header.DeviceClass;
    public Digest TargetDigest => _envelope.Header.TargetDigest;
    public long TargetSize => (long)Math.Min(_envelope.Header.TargetSize, long.MaxValue);
    public PayloadKind Kind => _envelope.Header.PayloadKind;
    public Digest? BaseDigest => _envelope.Header.BaseDigest is { IsSha256: true } b ? b : null;

    /// <summary>The header's Recovery flag; <see cref="Check"/> refuses it unless a recovery key signed the bundle.</summary>
    public bool Recovery => _envelope.Header.Recovery;

    /// <summary>Signer in scope and expiry via <see cref="BundleVerifier.CheckAuthenticity"/>, plus what this installer can record.</summary>
    public IReadOnlyList<Problem> Check(IInstallImage image, DateTimeOffset now)
    {
        var problems = new List<Problem>(_metadataProblems);
        if (!ReferenceEquals(image, this)) problems.Add(new(ReasonCodes.BundleMalformed, "bundle", "a bundle pre-check only vouches for its own bundle"));
        var authenticity = BundleVerifier.CheckAuthenticity(_envelope, _trusted, now);
        _verified = authenticity.Bundle;
        problems.AddRange(authenticity.Problems);
        return problems;
    }

    public void WriteTarget(ISlotReader? baseImage, Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var verified = _verified ?? throw new InvalidOperationException("the bundle must pass Check before its payload is read");
        using var bundle = _openBundle();
        Skip(bundle, _envelope.PayloadOffset);
        using var payload = verified.OpenPayload(bundle);
        try
        {
            if (Kind == PayloadKind.Delta)
            {
                // The patch names its own codec (SeqDiff or zstd-prefix) in its header; patches are small.
                var patch = new MemoryStream();
                payload.CopyTo(patch);
                DeltaPatchTarget.Write(new MemorySource(patch.ToArray()), baseImage ?? throw new InstallVerificationException(ReasonCodes.DeltaWithoutBase, "base", "a delta bundle needs the confirmed image"), output);
            }
            else
            {
                payload.CopyTo(output);
            }
        }
        catch (BundleVerificationException e)
        {
            throw new InstallVerificationException([.. e.Problems], e);
        }
    }

    private static void Skip(Stream stream, long count)
    {
        if (stream.CanSeek)
        {
            stream.Seek(count, SeekOrigin.Current);
            return;
        }
        var buffer = new byte[4096];
        while (count > 0)
        {
            var n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
            if (n == 0) throw new InstallVerificationException(ReasonCodes.Truncated, "payload", "bundle ended before its payload");
            count -= n;
        }
    }
}
