namespace AtymSecure.Bench.Runtime;

/// <summary>
/// Prints verified rows as time and ratio to gcc -O2 per kernel, and which rows meet the speed goal. The machine is
/// shared, so each row is divided by the faster of the native runs just before and just after it (paired timing);
/// the spread of all native runs is printed so the noise is visible.
/// </summary>
internal sealed class RatioTable
{
    /// <summary>Engine time / native time at or below this is >= 0.9x native speed (issue 6, section 5).</summary>
    public const double GoalRatio = 1 / 0.9;

    private const int LabelWidth = 58;
    private readonly NativeReference native;
    private readonly IReadOnlyList<Kernel> kernels;
    private readonly List<(string Label, double[] Ratios, bool Reference)> rows = [];
    private readonly List<Dictionary<string, KernelTiming>> nativeRuns = [];

    public RatioTable(NativeReference reference, IReadOnlyList<Kernel> kernels)
    {
        native = reference;
        this.kernels = kernels;
        nativeRuns.Add(native.Timings);
    }

    public void PrintHeader() =>
        Console.WriteLine($"{"engine",-LabelWidth} {string.Join(' ', kernels.Select(k => $"{k.Column,17}"))}");

    public void PrintNative() =>
        Console.WriteLine($"{"    gcc -O2 native (first run)",-LabelWidth} {string.Join(' ', kernels.Select(k => Cell(native.Timings[k.Export].Seconds, 1)))}");

    /// <summary>Verifies the row's checksums against native (throws <see cref="KernelMismatchException"/>) and only then prints it.</summary>
    /// <param name="reference">A native comparison row (not an engine): printed, but left out of the goal summary.</param>
    public void Add(string label, IReadOnlyDictionary<string, KernelTiming> timings, bool reference = false)
    {
        native.Verify(label, timings);
        var before = nativeRuns[^1];
        var after = native.Measure();
        native.Verify("gcc -O2 native (repeat)", after);
        nativeRuns.Add(after);
        var ratios = kernels.Select(k => timings[k.Export].Seconds / Math.Min(before[k.Export].Seconds, after[k.Export].Seconds)).ToArray();
        rows.Add((label, ratios, reference));
        var numbered = $"{rows.Count,2}. {label}";
        Console.WriteLine($"{numbered,-LabelWidth} {string.Join(' ', kernels.Select((k, i) => Cell(timings[k.Export].Seconds, ratios[i])))}");
    }

    public void PrintSummary()
    {
        Console.WriteLine($"  native gcc -O2 over {nativeRuns.Count} runs: " + string.Join(", ", kernels.Select(k =>
            $"{k.Column} {nativeRuns.Min(r => r[k.Export].Seconds) * 1000:F1}-{nativeRuns.Max(r => r[k.Export].Seconds) * 1000:F1} ms")));
        Console.WriteLine($"Engine rows meeting the goal (ratio <= {GoalRatio:F2}, i.e. >= 0.9x native speed) in this run:");
        foreach (var (column, i) in kernels.Select((k, i) => (k.Column, i)))
        {
            var meeting = rows.Select((r, n) => (r, n)).Where(x => !x.r.Reference && x.r.Ratios[i] <= GoalRatio).Select(x => $"{x.n + 1}").ToList();
            Console.WriteLine($"  {column,-13} {(meeting.Count == 0 ? "none" : string.Join(' ', meeting))}");
        }
    }

    private static string Cell(double seconds, double ratio) =>
        $"{seconds * 1000,7:F1} ms {ratio,5:F2}x{(ratio <= GoalRatio ? "*" : " ")}";
}
