namespace AtymSecure.Bench.Runtime;

/// <summary>One exported kernel of kernels/kernels.c: export name, table column and iterations per timed call.</summary>
internal sealed record Kernel(string Export, string Column, uint Iterations)
{
    /// <summary>The kernels every row runs, in column order (smaller counts for <c>--quick</c>).</summary>
    public static IReadOnlyList<Kernel> All(bool quick) =>
    [
        new("sha_bench", "sha256", quick ? 10_000u : 40_000u),
        new("mat_bench", "matmul", quick ? 200u : 1_000u),
        new("mat_ikj_bench", "matmul i-k-j", quick ? 200u : 1_000u),
        new("crc_bench", "crc32", quick ? 400u : 2_000u),
    ];
}

/// <summary>
/// One timed kernel result. <paramref name="Seconds"/> is already scaled to the kernel's full iteration count
/// when the row ran fewer iterations (<paramref name="Iterations"/> is what actually ran, and what the checksum is for).
/// </summary>
internal readonly record struct KernelTiming(double Seconds, uint Iterations, uint Checksum);

/// <summary>A kernel returned a checksum different from the gcc -O2 build: the bench stops without printing ratios.</summary>
internal sealed class KernelMismatchException(string message) : Exception(message);
