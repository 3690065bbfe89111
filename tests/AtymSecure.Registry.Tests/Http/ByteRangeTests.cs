using AtymSecure.Registry.Http;
using CsCheck;

namespace AtymSecure.Registry.Tests.Http;

public sealed class ByteRangeTests
{
    [Theory]
    [InlineData(null, 10, ByteRange.Outcome.Whole, 0, 10)]
    [InlineData("bytes=2-4", 10, ByteRange.Outcome.Partial, 2, 3)]
    [InlineData("bytes=2-400", 10, ByteRange.Outcome.Partial, 2, 8)]
    [InlineData("bytes=-3", 10, ByteRange.Outcome.Partial, 7, 3)]
    [InlineData("bytes=-30", 10, ByteRange.Outcome.Partial, 0, 10)]
    [InlineData("BYTES=9-", 10, ByteRange.Outcome.Partial, 9, 1)]
    [InlineData("bytes=0-1,4-5", 10, ByteRange.Outcome.Whole, 0, 10)]
    [InlineData("bytes=10-", 10, ByteRange.Outcome.Unsatisfiable, 0, 10)]
    [InlineData("bytes=0-0", 0, ByteRange.Outcome.Unsatisfiable, 0, 0)]
    [InlineData("bytes=-1", 0, ByteRange.Outcome.Unsatisfiable, 0, 0)]
    [InlineData("bytes=5-4", 10, ByteRange.Outcome.Unsatisfiable, 0, 10)]
    [InlineData("bytes=+1-2", 10, ByteRange.Outcome.Unsatisfiable, 0, 10)]
    public void Resolves_rfc_9110_forms(string? header, long size, ByteRange.Outcome outcome, long offset, long length)
    {
        Assert.Equal(outcome, ByteRange.Resolve(header, size, out var range));
        if (outcome != ByteRange.Outcome.Unsatisfiable) Assert.Equal(new ByteRange(offset, length), range);
    }

    [Fact]
    public void Partial_ranges_always_lie_inside_the_blob() =>
        Gen.Select(Gen.String[Gen.Char["bytes=0123456789-, "], 0, 30], Gen.Long[0, 1_000_000]).Sample((header, size) =>
        {
            if (ByteRange.Resolve(header, size, out var range) == ByteRange.Outcome.Partial)
            {
                Assert.InRange(range.Offset, 0, size - 1);
                Assert.InRange(range.Length, 1, size - range.Offset);
            }
        }, iter: 5000);
}
