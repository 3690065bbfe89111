using CsCheck;

namespace AtymSecure.Formats.Tests.DeviceProtocol;

/// <summary>
/// The mutation fuzz of the device-protocol readers (ours and DDI's): 1 to 6 edits of a valid message — a byte
/// overwritten, a byte replaced by one of the JSON structure bytes given, or up to 8 bytes cut — and the reader may
/// fail only with <typeparamref name="TException"/>; any other exception fails the test with CsCheck's seed.
/// <c>ATYM_FUZZ_ITERATIONS</c> overrides the suite's count for a long run (<see cref="Iterations"/>).
/// </summary>
internal static class JsonMutationFuzz
{
    /// <summary>The suite's count, or <c>ATYM_FUZZ_ITERATIONS</c> for a long run.</summary>
    public static long Iterations(long suite) => long.TryParse(Environment.GetEnvironmentVariable("ATYM_FUZZ_ITERATIONS"), out var n) ? n : suite;

    public static void FailsOnlyWith<TException>(byte[] valid, Action<byte[]> read, byte[] jsonSyntax, long suiteIterations)
        where TException : Exception =>
        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte, Gen.Int[0, 2]).Array[1, 6].Sample(edits =>
        {
            var copy = (byte[])valid.Clone();
            foreach (var (at, value, kind) in edits)
            {
                if (at >= copy.Length) continue;
                if (kind == 0) copy[at] = value;
                else if (kind == 1) copy[at] = jsonSyntax[value % jsonSyntax.Length];
                else copy = [.. copy[..at], .. copy[Math.Min(copy.Length, at + 1 + value % 8)..]];
            }
            try
            {
                read(copy);
            }
            catch (TException)
            {
            }
        }, iter: Iterations(suiteIterations));
}
