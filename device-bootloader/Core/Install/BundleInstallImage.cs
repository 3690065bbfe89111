using System.Globalization;
using AtymSecure.Bootloader.State;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.Delta;

namespace AtymSecure.Bootloader.Install;

/// <summary>
/// A bundle (formats/Bundle, docs/bundle-format.md) as an install source: its signed header gives
/// the metadata, <see cref="Check"/> runs <see cref="BundleVerifier"/> (trusted signature, expiry,
/// device class, counter, fit, delta base) with expectations taken from this device's state, and
/// the payload is read through the chunk-verifying stream. Full images must be uncompressed;
/// deltas are formats/Delta patches (SeqDiff or zstd-prefix, named in the patch header).
/// </summary>
public sealed class BundleInstallImage : IInstallImage, IInstallPreCheck
{
    private readonly BundleEnvelope _envelope;
    private readonly Func<Stream> _openBundle;
    private readonly IReadOnlyCollection<VerificationKey> _trustedKeys;
    private readonly BundleExpectations _expectations;
    private readonly List<InstallProblem> _metadataProblems = [];
    private VerifiedBundle? _verified;

    /// <param name="envelope">The parsed (not yet trusted) bundle prefix.</param>
    /// <param name="openBundle">Opens the whole bundle from its first byte (called once per payload read).</param>
    /// <param name="trustedKeys">Keys allowed to sign bundles for this device.</param>
    /// <param name="device">The device the bundle is for: its state gives the expectations.</param>
    public BundleInstallImage(BundleEnvelope envelope, Func<Stream> openBundle, IReadOnlyCollection<VerificationKey> trustedKeys, DeviceBootloader device)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(openBundle);
        ArgumentNullException.ThrowIfNull(trustedKeys);
        ArgumentNullException.ThrowIfNull(device);
        _envelope = envelope;
        _openBundle = openBundle;
        _trustedKeys = trustedKeys;
        var h = envelope.Header;

        try { Version = ImageVersion.Parse(h.ContainerVersion); }
        catch (FormatException e) { _metadataProblems.Add(new(InstallProblemCodes.BadMetadata, e.Message)); }
        if (h.SecurityCounter > uint.MaxValue)
            _metadataProblems.Add(new(InstallProblemCodes.BadMetadata, $"security counter {h.SecurityCounter} exceeds what the device records"));
        if (h.PayloadKind == PayloadKind.Full && h.Codec != PayloadCodec.None)
            _metadataProblems.Add(new(InstallProblemCodes.BadMetadata, $"full images with codec {h.Codec} are not supported by this installer"));
        _metadataProblems.AddRange(h.Validate().Select(p => new InstallProblem(InstallProblemCodes.BadMetadata, p)));

        var index = device.Partitions.ContainerIndex(h.ContainerName);
        var record = index < 0 ? null : device.State(h.ContainerName);
        var slotCapacity = record is null ? 0 : device.Partitions.Slot(h.ContainerName, ContainerTransitions.InstallTarget(record)).Size;
        _expectations = new BundleExpectations(
            device.Options.DeviceClass,
            DateTimeOffset.MinValue,
            record?.SecurityFloor ?? 0,
            (ulong)slotCapacity,
            record?.ConfirmedImage?.Digest.ToArray());
    }

    public string ContainerName => _envelope.Header.ContainerName;
    public ImageVersion Version { get; }
    public uint SecurityCounter => (uint)Math.Min(_envelope.Header.SecurityCounter, uint.MaxValue);
    public string DeviceClass => _envelope.Header.DeviceClass;
    public Sha256Digest TargetDigest => Sha256Digest.FromBytes(_envelope.Header.TargetDigest);
    public long TargetSize => (long)Math.Min(_envelope.Header.TargetSize, long.MaxValue);
    public ImageKind Kind => _envelope.Header.PayloadKind == PayloadKind.Delta ? ImageKind.Delta : ImageKind.Full;
    public Sha256Digest? BaseDigest => _envelope.Header.BaseDigest is { Length: Sha256Digest.Size } b ? Sha256Digest.FromBytes(b) : null;

    /// <summary>Signature, expiry and device expectations via <see cref="BundleVerifier"/>, plus what this installer can record.</summary>
    public IReadOnlyList<InstallProblem> Check(IInstallImage image, DateTimeOffset now)
    {
        var problems = new List<InstallProblem>(_metadataProblems);
        if (!ReferenceEquals(image, this)) problems.Add(new(InstallProblemCodes.BadMetadata, "a bundle pre-check only vouches for its own bundle"));
        try
        {
            _verified = BundleVerifier.Verify(_envelope, _trustedKeys, _expectations with { Now = now });
        }
        catch (BundleVerificationException e)
        {
            problems.Add(new(Code(e.Reason), e.Message));
        }
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
            if (Kind == ImageKind.Delta)
            {
                // The patch names its own codec (SeqDiff or zstd-prefix) in its header; patches are small.
                var patch = new MemoryStream();
                payload.CopyTo(patch);
                DeltaPatchTarget.Write(new MemorySource(patch.ToArray()), baseImage ?? throw new InstallVerificationException("a delta bundle needs the confirmed image"), output);
            }
            else
            {
                payload.CopyTo(output);
            }
        }
        catch (BundleVerificationException e)
        {
            throw new InstallVerificationException($"bundle payload failed verification: {e.Message}", e);
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
            if (n == 0) throw new InstallVerificationException("bundle ended before its payload");
            count -= n;
        }
    }

    private static string Code(BundleRejection reason) => reason switch
    {
        BundleRejection.NoTrustedSignature => InstallProblemCodes.BadSignature,
        BundleRejection.Expired => InstallProblemCodes.Expired,
        BundleRejection.WrongDeviceClass => InstallProblemCodes.DeviceMismatch,
        BundleRejection.CounterTooLow => InstallProblemCodes.RollbackRefused,
        BundleRejection.BaseMismatch => InstallProblemCodes.DeltaBaseMismatch,
        BundleRejection.TooLarge => InstallProblemCodes.TooLarge,
        _ => InstallProblemCodes.BadMetadata + ":" + reason.ToString().ToLower(CultureInfo.InvariantCulture),
    };
}
