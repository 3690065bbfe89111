using System.Diagnostics;
using AtymSecure.Formats.Delta;
using AtymSecure.Formats.DeviceClasses;

namespace AtymSecure.Delivery.Delta;

/// <summary>What the bundle should carry for one device.</summary>
public enum DeltaPayloadKind
{
    Full,
    Delta,
}

/// <summary>One encoded patch and whether decoding it reproduced the new image.</summary>
public sealed record DeltaCandidate(string Name, DeltaCodec Codec, byte[] Patch, TimeSpan EncodeTime, string? Failure)
{
    public bool Verified => Failure is null;
}

/// <summary>The chooser's decision; <see cref="Patch"/> is null for <see cref="DeltaPayloadKind.Full"/>.</summary>
public sealed record DeltaChoice(DeltaPayloadKind Kind, DeltaCandidate? Chosen, long FullPayloadLength, IReadOnlyList<DeltaCandidate> Candidates)
{
    public byte[]? Patch => Chosen?.Patch;
}

/// <summary>
/// Entry point for the bundle builder: encodes every codec the device class can decode, proves each
/// candidate by decoding it (header digests included) and compares bytes, then returns the smallest
/// verified delta, or Full when no delta is smaller than the full payload.
/// </summary>
public static class DeltaChooser
{
    /// <summary>Codecs a device class can decode: MCUs only the fixed-RAM SeqDiff; Linux-class both.</summary>
    public static IReadOnlyList<DeltaCodec> CodecsFor(DeviceClass deviceClass)
    {
        ArgumentNullException.ThrowIfNull(deviceClass);
        return deviceClass.IsMicrocontroller
            ? [DeltaCodec.SeqDiff]
            : [DeltaCodec.ZstdPrefix, DeltaCodec.SeqDiff];
    }

    /// <param name="fullPayloadLength">Size of the full payload the bundle would carry instead (default: the new image's size).</param>
    public static DeltaChoice Choose(
        ReadOnlyMemory<byte> oldImage, ReadOnlyMemory<byte> newImage, DeviceClass deviceClass, long? fullPayloadLength = null)
    {
        var candidates = new List<DeltaCandidate>();
        foreach (var codec in CodecsFor(deviceClass))
        {
            candidates.Add(Candidate(codec, oldImage, newImage));
        }

        long full = fullPayloadLength ?? newImage.Length;
        var best = candidates.Where(c => c.Verified).MinBy(c => c.Patch.LongLength);
        return best is not null && best.Patch.LongLength < full
            ? new DeltaChoice(DeltaPayloadKind.Delta, best, full, candidates)
            : new DeltaChoice(DeltaPayloadKind.Full, null, full, candidates);
    }

    private static DeltaCandidate Candidate(DeltaCodec codec, ReadOnlyMemory<byte> oldImage, ReadOnlyMemory<byte> newImage)
    {
        var watch = Stopwatch.StartNew();
        byte[] patch = codec switch
        {
            DeltaCodec.ZstdPrefix => ZstdPrefixEncoder.Encode(oldImage.Span, newImage.Span),
            DeltaCodec.SeqDiff => SeqDiffEncoder.Encode(oldImage.Span, newImage.Span),
            _ => throw new ArgumentOutOfRangeException(nameof(codec), codec, "unknown codec"),
        };
        var elapsed = watch.Elapsed;
        return new DeltaCandidate(codec.ToString(), codec, patch, elapsed, Verify(patch, oldImage, newImage));
    }

    /// <summary>Decodes <paramref name="patch"/> against the old image; null when it reproduces the new image exactly.</summary>
    public static string? Verify(byte[] patch, ReadOnlyMemory<byte> oldImage, ReadOnlyMemory<byte> newImage)
    {
        try
        {
            var rebuilt = DeltaPatchApplier.Apply(patch, oldImage);
            return rebuilt.AsSpan().SequenceEqual(newImage.Span) ? null : "decoded image differs from the new image";
        }
        catch (Exception e) when (e is DeltaFormatException or DeltaMismatchException)
        {
            return $"decoding failed: {e.Message}";
        }
    }
}
