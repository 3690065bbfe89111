namespace AtymSecure.Bench.Runtime;

/// <summary>
/// The gcc -O2 build: its times are the denominators of every ratio and its checksums the expected results.
/// Rows that run fewer iterations (pulley) are checked against a native run of the same, smaller count.
/// </summary>
internal sealed class NativeReference
{
    private readonly string executable;
    private readonly IReadOnlyList<Kernel> kernels;
    private readonly Dictionary<(string Kernel, uint Iterations), uint> checksums = [];

    public NativeReference(string executable, IReadOnlyList<Kernel> kernels, int repeats)
    {
        this.executable = executable;
        this.kernels = kernels;
        this.repeats = repeats;
        Timings = Measure();
    }

    private readonly int repeats;

    /// <summary>The first measurement (its checksums are the expected results at the full counts).</summary>
    public Dictionary<string, KernelTiming> Timings { get; }

    /// <summary>Times every kernel again (the machine is shared: rows are compared with native measured next to them).</summary>
    public Dictionary<string, KernelTiming> Measure() =>
        kernels.ToDictionary(k => k.Export, k => Harness.Run(executable, k.Export, k.Iterations, repeats), StringComparer.Ordinal);

    public uint ExpectedChecksum(string kernel, uint iterations)
    {
        if (Timings.TryGetValue(kernel, out var t) && t.Iterations == iterations) return t.Checksum;
        if (!checksums.TryGetValue((kernel, iterations), out var sum))
            checksums[(kernel, iterations)] = sum = Harness.Run(executable, kernel, iterations, 1).Checksum;
        return sum;
    }

    /// <summary>Throws <see cref="KernelMismatchException"/> naming the row and kernel unless every checksum equals native's.</summary>
    public void Verify(string row, IReadOnlyDictionary<string, KernelTiming> timings)
    {
        foreach (var kernel in kernels)
        {
            if (!timings.TryGetValue(kernel.Export, out var t))
                throw new KernelMismatchException($"row '{row}': kernel {kernel.Export} produced no result");
            var expected = ExpectedChecksum(kernel.Export, t.Iterations);
            if (t.Checksum != expected)
                throw new KernelMismatchException(
                    $"row '{row}': {kernel.Export}({t.Iterations}) returned {t.Checksum:x8} but the gcc -O2 build returns {expected:x8}; the engine computed a wrong result, so the row is not printed and the bench stops");
        }
    }
}
