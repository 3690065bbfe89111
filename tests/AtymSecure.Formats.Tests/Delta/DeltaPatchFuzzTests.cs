using System.Buffers.Binary;
using AtymSecure.Formats.Delta;
using CsCheck;

namespace AtymSecure.Formats.Tests.Delta;

/// <summary>
/// Untrusted patches: mutated golden patches and random bodies behind valid headers may only
/// decode correctly or fail with DeltaFormatException/DeltaMismatchException — never another
/// exception, a hang, or an allocation beyond the limits.
/// </summary>
public class DeltaPatchFuzzTests
{
    private static readonly DeltaLimits Limits = new()
    {
        MaxOldSize = 64 * 1024,
        MaxNewSize = 64 * 1024,
        MaxBodySize = 64 * 1024,
        MaxZstdWindowLog = 20,
    };

    public static TheoryData<string> Codecs => new() { "v1.seqdiff.patch", "v1.zstdprefix.patch" };

    private static Gen<byte[]> Mutations(byte[] patch) => Gen.OneOf(
        // Byte edits anywhere (header included).
        Gen.Select(Gen.Int[0, patch.Length - 1], Gen.Byte).Array[1, 8].Select(edits =>
        {
            var b = (byte[])patch.Clone();
            foreach (var (pos, value) in edits)
            {
                b[pos] = value;
            }

            return b;
        }),
        // Body edits only, with the body length kept consistent (reaches deep into the decoder).
        Gen.Select(Gen.Int[DeltaPatchHeader.Size, patch.Length - 1], Gen.Int[0, 7]).Array[1, 4].Select(flips =>
        {
            var b = (byte[])patch.Clone();
            foreach (var (pos, bit) in flips)
            {
                b[pos] ^= (byte)(1 << bit);
            }

            return b;
        }),
        // Truncation, with the header's body length rewritten to match.
        Gen.Int[DeltaPatchHeader.Size, patch.Length - 1].Select(length =>
        {
            var b = patch.AsSpan(0, length).ToArray();
            BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(88), length - DeltaPatchHeader.Size);
            return b;
        }),
        // A random body behind the genuine header.
        Gen.Byte.Array[0, 600].Select(body =>
        {
            var b = patch.AsSpan(0, DeltaPatchHeader.Size).ToArray().Concat(body).ToArray();
            BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(88), body.Length);
            return b;
        }));

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Mutated_patches_fail_only_with_typed_exceptions(string golden)
    {
        var patch = GoldenFiles.Read(golden);
        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        Mutations(patch).Sample(mutated =>
        {
            string outcome = TypedFailures.Outcome(() =>
            {
                var image = DeltaPatchApplier.Apply(mutated, GoldenFiles.Old, Limits);
                // Whatever decodes has passed the target digest check, so it is the golden image.
                Assert.Equal(GoldenFiles.New, image);
            });
            outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        }, iter: 3000);
        Assert.True(outcomes.GetValueOrDefault("format") > 0, "no mutation reached a format error");
    }

    [Fact]
    public void Random_bytes_fail_only_with_typed_exceptions()
    {
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            Assert.NotEqual("ok", TypedFailures.Outcome(() => DeltaPatchApplier.Apply(bytes, GoldenFiles.Old, Limits)));
        }, iter: 2000);
    }
}
