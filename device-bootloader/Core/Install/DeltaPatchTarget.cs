using AtymSecure.Formats.Delta;
using AtymSecure.Formats;

namespace AtymSecure.Bootloader.Install;

/// <summary>
/// Produces a target image from a formats/Delta patch (docs/delta-format.md; SeqDiff for MCUs,
/// zstd-prefix for Linux-class): the base (confirmed slot) is read by random access, the target
/// is written front to back into the installer's slot stream. The decoder checks the base's and
/// the result's SHA-256 from the patch header. A power cut restarts the install from scratch (a
/// NOR slot cannot be rewritten without an erase), so decoder checkpoints are not used here.
/// </summary>
public static class DeltaPatchTarget
{
    /// <summary>Decodes <paramref name="patch"/> against <paramref name="baseImage"/> into <paramref name="output"/>.</summary>
    public static void Write(IRandomAccessSource patch, ISlotReader baseImage, Stream output)
    {
        ArgumentNullException.ThrowIfNull(patch);
        ArgumentNullException.ThrowIfNull(baseImage);
        ArgumentNullException.ThrowIfNull(output);
        try
        {
            DeltaPatchApplier.Apply(patch, new SlotSource(baseImage), new StreamSink(output));
        }
        catch (DeltaFormatException e)
        {
            throw new InstallVerificationException(ReasonCodes.BundleMalformed, "payload", $"delta patch could not be applied: {e.Message}", e);
        }
        catch (DeltaMismatchException e)
        {
            throw new InstallVerificationException(ReasonCodes.ImageMismatch, "payload", $"delta patch could not be applied: {e.Message}", e);
        }
    }

    /// <summary>A slot seen as a delta base.</summary>
    private sealed class SlotSource(ISlotReader slot) : IRandomAccessSource
    {
        public long Length => slot.Length;

        public void Read(long offset, Span<byte> destination) => slot.Read(offset, destination);
    }

    /// <summary>The slot stream seen as a delta sink; only front-to-back writes are possible on a freshly erased slot.</summary>
    private sealed class StreamSink(Stream output) : IDeltaSink
    {
        private long _written;

        public void Write(long offset, ReadOnlySpan<byte> data)
        {
            if (offset != _written)
                throw new InstallVerificationException(ReasonCodes.BundleMalformed, "payload", $"delta decoder wrote at {offset}, the slot is written front to back (next byte {_written})");
            output.Write(data);
            _written += data.Length;
        }
    }
}
