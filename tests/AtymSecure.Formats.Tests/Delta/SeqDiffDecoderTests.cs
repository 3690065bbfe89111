using AtymSecure.Formats.Delta;
using AtymSecure.Formats.Delta.SeqDiff;
using CsCheck;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Tests.Delta;

public class SeqDiffDecoderTests
{
    private static readonly DeltaPatchHeader Header = DeltaPatchHeader.Parse(GoldenFiles.SeqDiffPatch);

    [Fact]
    public void Golden_v1_patch_decodes_to_the_golden_new_image()
    {
        Assert.Equal(GoldenFiles.New, DeltaPatchApplier.Apply(GoldenFiles.SeqDiffPatch, GoldenFiles.Old));
    }

    [Fact]
    public void Golden_patch_has_several_blocks_so_resume_is_exercised()
    {
        Assert.True(new SeqDiffDecoder(Header).BlockCount >= 3);
    }

    [Fact]
    public void Decoder_buffers_stay_within_16_KiB_and_decoding_allocates_nothing()
    {
        var old = new MemorySource(GoldenFiles.Old);
        var patch = new MemorySource(GoldenFiles.SeqDiffPatch);
        var sink = new MemorySink(GoldenFiles.New.Length);
        DecodeAll(new SeqDiffDecoder(Header), old, patch, sink); // warm up the JIT

        long before = GC.GetAllocatedBytesForCurrentThread();
        var decoder = new SeqDiffDecoder(Header);
        long constructed = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(decoder.BufferBytes <= 16 * 1024, $"decoder buffers are {decoder.BufferBytes} bytes");
        // Buffers plus a few object headers: everything the decoder will ever hold.
        Assert.True(constructed <= 16 * 1024 + 512, $"constructor allocated {constructed} bytes");

        before = GC.GetAllocatedBytesForCurrentThread();
        DecodeAll(decoder, old, patch, sink);
        long decoding = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, decoding);
        Assert.Equal(GoldenFiles.New, sink.ToArray());
    }

    [Fact]
    public void Largest_window_decoder_stays_within_16_KiB()
    {
        var header = Header with { ParameterA = SeqDiffLayout.MaxWindowLog };
        var decoder = new SeqDiffDecoder(header);
        Assert.True(decoder.BufferBytes <= 16 * 1024, $"decoder buffers are {decoder.BufferBytes} bytes");
    }

    [Fact]
    public void Resume_after_power_cuts_produces_identical_output()
    {
        // Cut power after every k-th written byte, for many k, including cuts inside block writes.
        Gen.Int[1, GoldenFiles.New.Length].Array[1, 5].Sample(cuts =>
        {
            var slot = new byte[GoldenFiles.New.Length];
            Array.Fill(slot, (byte)0xFF);
            byte[] persisted = new SeqDiffCheckpoint(0, DeltaPatchHeader.Size, 0).ToBytes(Header);
            int restarts = 0;
            var budgets = new Queue<int>(cuts);
            while (true)
            {
                // A fresh decoder, as after a reboot: only the persisted checkpoint survives.
                var decoder = new SeqDiffDecoder(Header);
                decoder.Resume(SeqDiffCheckpoint.Parse(persisted, Header));
                var sink = new PowerCutSink(slot, budgets.Count > 0 ? budgets.Dequeue() : int.MaxValue);
                try
                {
                    while (decoder.DecodeNextBlock(new MemorySource(GoldenFiles.Old), new MemorySource(GoldenFiles.SeqDiffPatch), sink))
                    {
                        persisted = decoder.Checkpoint.ToBytes(Header);
                    }

                    break;
                }
                catch (PowerCutException)
                {
                    restarts++;
                }
            }

            Assert.Equal(GoldenFiles.New, slot);
            Assert.InRange(restarts, 0, cuts.Length);
            DeltaPatchApplier.VerifyImage(new MemorySource(slot), Header.NewSize, Header.NewSha256, "new");
        }, iter: 200);
    }

    [Fact]
    public void Checkpoint_bytes_round_trip_and_reject_corruption()
    {
        var checkpoint = new SeqDiffCheckpoint(2, 300, 8192);
        var bytes = checkpoint.ToBytes(Header);
        Assert.Equal(SeqDiffCheckpoint.Size, bytes.Length);
        Assert.Equal(checkpoint, SeqDiffCheckpoint.Parse(bytes, Header));

        bytes[3] ^= 1;
        Assert.Contains("CRC", Assert.Throws<DeltaFormatException>(() => SeqDiffCheckpoint.Parse(bytes, Header)).Message, StringComparison.Ordinal);

        var other = Header with { NewSha256 = Digest.FromSha256(new byte[32]) };
        Assert.Throws<DeltaMismatchException>(() => SeqDiffCheckpoint.Parse(checkpoint.ToBytes(other), Header));
        Assert.Throws<DeltaFormatException>(() => SeqDiffCheckpoint.Parse(bytes.AsSpan(0, 10), Header));
    }

    [Fact]
    public void Checkpoints_that_do_not_fit_the_patch_geometry_are_rejected()
    {
        var decoder = new SeqDiffDecoder(Header);
        Assert.Throws<DeltaFormatException>(() => decoder.Resume(new SeqDiffCheckpoint(-1, 96, 0)));
        Assert.Throws<DeltaFormatException>(() => decoder.Resume(new SeqDiffCheckpoint(decoder.BlockCount + 1, 96, 0)));
        Assert.Throws<DeltaFormatException>(() => decoder.Resume(new SeqDiffCheckpoint(1, 96, 5)));
        Assert.Throws<DeltaFormatException>(() => decoder.Resume(new SeqDiffCheckpoint(0, 10, 0)));
        Assert.Throws<DeltaFormatException>(() => decoder.Resume(new SeqDiffCheckpoint(0, GoldenFiles.SeqDiffPatch.Length + 1, 0)));
    }

    [Fact]
    public void Wrong_base_image_is_a_mismatch_before_anything_is_written()
    {
        var wrongOld = (byte[])GoldenFiles.Old.Clone();
        wrongOld[5000] ^= 0x40;
        var sink = new MemorySink(GoldenFiles.New.Length);
        var e = Assert.Throws<DeltaMismatchException>(() =>
            DeltaPatchApplier.Apply(new MemorySource(GoldenFiles.SeqDiffPatch), new MemorySource(wrongOld), sink));
        Assert.Contains("old (base) image SHA-256", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, sink.Written);
        Assert.Throws<DeltaMismatchException>(() => DeltaPatchApplier.Apply(GoldenFiles.SeqDiffPatch, GoldenFiles.Old.AsMemory(1)));
    }

    [Fact]
    public void Truncated_and_extended_patches_are_rejected()
    {
        var patch = GoldenFiles.SeqDiffPatch;
        Assert.Throws<DeltaFormatException>(() => DeltaPatchApplier.Apply(patch.AsMemory(0, patch.Length - 1), GoldenFiles.Old));
        Assert.Throws<DeltaFormatException>(() => DeltaPatchApplier.Apply(patch.Concat(new byte[1]).ToArray(), GoldenFiles.Old));
    }

    private static void DecodeAll(SeqDiffDecoder decoder, IRandomAccessSource old, IRandomAccessSource patch, IDeltaSink sink)
    {
        while (decoder.DecodeNextBlock(old, patch, sink))
        {
        }
    }

    private sealed class PowerCutException : Exception
    {
    }

    /// <summary>A flash slot that loses power after a byte budget, possibly in the middle of a write.</summary>
    private sealed class PowerCutSink(byte[] slot, int budget) : IDeltaSink
    {
        private int _left = budget;

        public void Write(long offset, ReadOnlySpan<byte> data)
        {
            int n = Math.Min(_left, data.Length);
            data[..n].CopyTo(slot.AsSpan((int)offset));
            _left -= n;
            if (n < data.Length)
            {
                throw new PowerCutException();
            }
        }
    }
}
