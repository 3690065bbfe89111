using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using AtymSecure.Bootloader.Install;
using AtymSecure.Bootloader.State;
using AtymSecure.Formats;
using AtymSecure.Formats.Container;
using AtymSecure.Primitives;
using AtymSecure.Formats.Bundle;

namespace AtymSecure.Bootloader.Tests.Support;

/// <summary>
/// A test update: metadata, a payload (the full image or a <see cref="TestDelta"/>), and an ECDSA
/// P-256 signature over the canonical metadata bytes, which include the payload's SHA-256.
/// Stands in for the real bundle until the bundle reader is wired in; the crypto is real.
/// </summary>
public sealed record SignedTestImage(
    string ContainerName,
    SemanticVersion Version,
    uint SecurityCounter,
    string DeviceClass,
    Digest TargetDigest,
    long TargetSize,
    PayloadKind Kind,
    Digest? BaseDigest,
    DateTimeOffset Expires,
    byte[] Payload,
    byte[] Signature) : IInstallImage
{
    /// <summary>For deltas: true when the payload is a real formats/Delta patch (SeqDiff), false for the test-only op list.</summary>
    public bool IsFormatsPatch { get; init; }

    /// <summary>Payload actually handed to the decoder (tests may swap it after signing).</summary>
    public void WriteTarget(ISlotReader? baseImage, Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (Kind == PayloadKind.Full)
        {
            output.Write(Payload);
            return;
        }
        var baseSlot = baseImage ?? throw new InvalidOperationException("delta without base");
        if (IsFormatsPatch) DeltaPatchTarget.Write(new AtymSecure.Formats.Delta.MemorySource(Payload), baseSlot, output);
        else TestDelta.Apply(Payload, baseSlot, output);
    }

    /// <summary>Canonical bytes the signature covers (length-prefixed fields, fixed order).</summary>
    public byte[] SignedBytes()
    {
        var s = new MemoryStream();
        void Str(string v) { var b = Encoding.UTF8.GetBytes(v); U32((uint)b.Length); s.Write(b); }
        void U32(uint v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); s.Write(b); }
        void U64(ulong v) { Span<byte> b = stackalloc byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(b, v); s.Write(b); }
        Str("atymsecure-test-image-v1");
        Str(ContainerName);
        Str(Version.ToString());
        U32(SecurityCounter);
        Str(DeviceClass);
        s.Write(TargetDigest.ToBytes());
        U64((ulong)TargetSize);
        U32((uint)Kind);
        s.Write(BaseDigest?.ToBytes() ?? new byte[32]);
        U64((ulong)Expires.ToUnixTimeSeconds());
        s.Write(SHA256.HashData(Payload));
        s.WriteByte(IsFormatsPatch ? (byte)1 : (byte)0);
        return s.ToArray();
    }
}

/// <summary>Builds signed test images with one ECDSA P-256 key.</summary>
public sealed class TestImageSigner : IDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>One signer for the whole test run (tests that need a second key make their own).</summary>
    public static TestImageSigner Shared { get; } = new();

    /// <summary>A pre-check trusting <see cref="Shared"/>.</summary>
    public static EcdsaTestPreCheck SharedPreCheck { get; } = new(Shared.PublicKey);

    public byte[] PublicKey => _key.ExportSubjectPublicKeyInfo();

    public SignedTestImage Full(string container, byte[] image, string version, uint counter, string deviceClass = "test-mcu", DateTimeOffset? expires = null) =>
        Sign(new SignedTestImage(container, SemanticVersion.Parse(version), counter, deviceClass, Digest.Compute(image), image.Length,
            PayloadKind.Full, null, expires ?? Now.AddDays(30), image, []));

    public SignedTestImage Delta(string container, byte[] oldImage, byte[] newImage, string version, uint counter, string deviceClass = "test-mcu") =>
        Sign(new SignedTestImage(container, SemanticVersion.Parse(version), counter, deviceClass, Digest.Compute(newImage), newImage.Length,
            PayloadKind.Delta, Digest.Compute(oldImage), Now.AddDays(30), TestDelta.Encode(oldImage, newImage), []));

    /// <summary>A delta carried as a real SeqDiff patch (made by the ota-server encoder, committed under Golden/delta).</summary>
    public SignedTestImage SeqDiff(string container, byte[] oldImage, byte[] newImage, byte[] patch, string version, uint counter, string deviceClass = "test-mcu") =>
        Sign(new SignedTestImage(container, SemanticVersion.Parse(version), counter, deviceClass, Digest.Compute(newImage), newImage.Length,
            PayloadKind.Delta, Digest.Compute(oldImage), Now.AddDays(30), patch, []) { IsFormatsPatch = true });

    public SignedTestImage Sign(SignedTestImage unsigned)
    {
        ArgumentNullException.ThrowIfNull(unsigned);
        return unsigned with { Signature = _key.SignData(unsigned.SignedBytes(), HashAlgorithmName.SHA256) };
    }

    public void Dispose() => _key.Dispose();
}

/// <summary>The authenticity pre-check for <see cref="SignedTestImage"/>: ECDSA signature, expiry, metadata sanity.</summary>
public sealed class EcdsaTestPreCheck : IInstallPreCheck, IDisposable
{
    private readonly ECDsa _trusted = ECDsa.Create();

    public EcdsaTestPreCheck(byte[] trustedPublicKey) => _trusted.ImportSubjectPublicKeyInfo(trustedPublicKey, out _);

    public IReadOnlyList<Problem> Check(IInstallImage image, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(image);
        var problems = new List<Problem>();
        if (image is not SignedTestImage signed)
        {
            problems.Add(new(ReasonCodes.BundleMalformed, "image", $"not a signed test image: {image.GetType().Name}"));
            return problems;
        }
        if (!_trusted.VerifyData(signed.SignedBytes(), signed.Signature, HashAlgorithmName.SHA256))
            problems.Add(new(ReasonCodes.UntrustedSigner, "signature", "ECDSA P-256 signature does not verify with the trusted key"));
        if (signed.Expires <= now)
            problems.Add(new(ReasonCodes.BundleExpired, "expires", $"image expired at {signed.Expires:O}"));
        if (signed.Kind == PayloadKind.Delta && signed.BaseDigest is null)
            problems.Add(new(ReasonCodes.BundleMalformed, "baseDigest", "delta without a base digest"));
        return problems;
    }

    public void Dispose() => _trusted.Dispose();
}
