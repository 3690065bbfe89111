using System.Diagnostics;
using System.Globalization;

namespace AtymSecure.Bench.Http;

/// <summary>One wrk run: the URL, connections, duration, the core wrk is pinned to, and an optional Lua script body
/// (its own <c>init</c>/<c>request</c>; the bench appends the <c>done</c> that prints the machine-readable summary).</summary>
public sealed record WrkRun(string Url, int Connections, TimeSpan Duration, int Core, string? Script = null, IReadOnlyList<string>? ScriptArgs = null);

/// <summary>What wrk measured: requests, bytes, latency percentiles (µs) and the failures it counts (socket errors and
/// statuses above 399).</summary>
public sealed record WrkResult(long Requests, double Seconds, long Bytes, double P50Micros, double P99Micros, long SocketErrors, long StatusErrors)
{
    public double RequestsPerSecond => Requests / Seconds;

    public double MegabytesPerSecond => Bytes / Seconds / (1024 * 1024);
}

/// <summary>
/// Runs Debian's <c>wrk</c> (one thread, pinned with <c>taskset</c> to its core, so the load generator's CPU is one
/// of the machine's two cores and the server gets the other) and reads the summary its Lua <c>done</c> callback
/// prints, not wrk's rounded human text.
/// </summary>
public static class Wrk
{
    private const string Done = """

        done = function(summary, latency, requests)
          local e = summary.errors
          io.write(string.format("WRK-RESULT %d %d %d %.1f %.1f %d %d\n", summary.requests, summary.duration, summary.bytes,
            latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status))
        end
        """;

    public static void EnsureInstalled()
    {
        foreach (var tool in new[] { "wrk", "taskset" })
            if (!Exists(tool)) throw new InvalidOperationException($"'{tool}' is not installed (apt-get install wrk util-linux)");
    }

    public static WrkResult Run(WrkRun run, string workFolder)
    {
        ArgumentNullException.ThrowIfNull(run);
        var script = Path.Combine(workFolder, $"wrk-{Guid.NewGuid():N}.lua");
        File.WriteAllText(script, (run.Script ?? "") + Done);
        try
        {
            var psi = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "-c", run.Core.ToString(CultureInfo.InvariantCulture), "wrk", "-t1",
                         "-c" + run.Connections.ToString(CultureInfo.InvariantCulture),
                         "-d" + ((int)run.Duration.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s",
                         "--timeout", "10s", "-s", script, run.Url })
                psi.ArgumentList.Add(a);
            if (run.ScriptArgs is { Count: > 0 } extra)
            {
                psi.ArgumentList.Add("--");
                foreach (var a in extra) psi.ArgumentList.Add(a);
            }
            using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start wrk");
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            var line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith("WRK-RESULT ", StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"wrk printed no result (exit {p.ExitCode}): {stdout} {stderr.Result}");
            var f = line.Split(' ');
            long L(int i) => long.Parse(f[i], CultureInfo.InvariantCulture);
            double D(int i) => double.Parse(f[i], CultureInfo.InvariantCulture);
            return new WrkResult(L(1), L(2) / 1e6, L(3), D(4), D(5), L(6), L(7));
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static bool Exists(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool)));
}
