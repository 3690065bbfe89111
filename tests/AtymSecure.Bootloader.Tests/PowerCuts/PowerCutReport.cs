using System.Collections.Concurrent;

namespace AtymSecure.Bootloader.Tests.PowerCuts;

/// <summary>
/// Collects "cut points: N, recovered: N" lines. Each line goes to stdout at once (visible with
/// `dotnet test --logger "console;verbosity=normal"`, which scripts/test.sh uses), and the per
/// scenario x profile totals are printed and written to bootloader-power-cuts.txt next to the
/// test assembly when the fixture is disposed.
/// </summary>
public sealed class PowerCutReport : IDisposable
{
    private readonly ConcurrentDictionary<(string Profile, string Scenario), (int Points, int Recovered)> _totals = new();

    public void Add(string profile, string config, string scenario, int operations, IReadOnlyList<SweepResult> sweeps)
    {
        ArgumentNullException.ThrowIfNull(sweeps);
        var points = sweeps.Sum(s => s.CutPoints);
        var recovered = sweeps.Sum(s => s.Recovered);
        var detail = string.Join(" | ", sweeps.Select(s => s.ToString()));
        Console.WriteLine($"[power-cut] {config} {scenario}: T={operations} | {detail}");
        _totals.AddOrUpdate((profile, scenario), (points, recovered), (_, t) => (t.Points + points, t.Recovered + recovered));
    }

    public void Dispose()
    {
        var lines = _totals.OrderBy(kv => kv.Key.Scenario, StringComparer.Ordinal).ThenBy(kv => kv.Key.Profile, StringComparer.Ordinal)
            .Select(kv => $"[power-cut total] scenario={kv.Key.Scenario} profile={kv.Key.Profile}: cut points: {kv.Value.Points}, recovered: {kv.Value.Recovered}")
            .ToArray();
        foreach (var line in lines) Console.WriteLine(line);
        if (lines.Length > 0)
            File.AppendAllLines(Path.Combine(AppContext.BaseDirectory, "bootloader-power-cuts.txt"), lines);
    }
}
