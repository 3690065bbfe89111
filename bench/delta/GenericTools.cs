using System.Diagnostics;
using System.Globalization;

namespace AtymSecure.Bench.Delta;

/// <summary>Size, encode/decode wall time and decoder peak RSS of one tool on one pair.</summary>
internal sealed record ToolResult(string Tool, long PatchSize, double EncodeMs, double DecodeMs, long DecodePeakBytes, bool RoundTrips);

/// <summary>Runs the Debian delta tools as processes under /usr/bin/time and checks their round trip.</summary>
internal static class GenericTools
{
    public static readonly string[] Names = ["bsdiff", "xdelta3 -9", "zstd -19 pf"];

    public static void RequireInstalled()
    {
        foreach (var (tool, package) in new[] { ("bsdiff", "bsdiff"), ("bspatch", "bsdiff"), ("xdelta3", "xdelta3"), ("zstd", "zstd"), ("time", "time") })
        {
            string path = tool == "time" ? "/usr/bin/time" : $"/usr/bin/{tool}";
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"missing {path}: apt-get install -y {package}");
            }
        }
    }

    public static ToolResult Run(string tool, ArtifactPair pair, string scratch)
    {
        string patch = Path.Combine(scratch, "patch");
        string rebuilt = Path.Combine(scratch, "rebuilt");
        File.Delete(patch);
        File.Delete(rebuilt);
        (string[] Encode, string[] Decode) commands = tool switch
        {
            "bsdiff" => (["bsdiff", pair.OldPath, pair.NewPath, patch], ["bspatch", pair.OldPath, rebuilt, patch]),
            "xdelta3 -9" => (["xdelta3", "-9", "-f", "-e", "-s", pair.OldPath, pair.NewPath, patch],
                             ["xdelta3", "-f", "-d", "-s", pair.OldPath, patch, rebuilt]),
            "zstd -19 pf" => (["zstd", "-q", "-f", "-19", $"--patch-from={pair.OldPath}", pair.NewPath, "-o", patch],
                              ["zstd", "-q", "-f", "-d", "--memory=2048MB", $"--patch-from={pair.OldPath}", patch, "-o", rebuilt]),
            _ => throw new ArgumentOutOfRangeException(nameof(tool), tool, "unknown tool"),
        };
        var (encodeMs, _) = Timed(commands.Encode);
        double decodeMs = double.MaxValue;
        long peak = 0;
        for (int i = 0; i < 3; i++)
        {
            var (ms, rss) = Timed(commands.Decode);
            decodeMs = Math.Min(decodeMs, ms);
            peak = Math.Max(peak, rss);
        }

        bool ok = File.ReadAllBytes(rebuilt).AsSpan().SequenceEqual(File.ReadAllBytes(pair.NewPath));
        return new ToolResult(tool, new FileInfo(patch).Length, encodeMs, decodeMs, peak, ok);
    }

    private static (double Ms, long PeakBytes) Timed(string[] command)
    {
        var start = new ProcessStartInfo("/usr/bin/time") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add("MAXRSS %M");
        foreach (var a in command)
        {
            start.ArgumentList.Add(a);
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        string stderr = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        double ms = watch.Elapsed.TotalMilliseconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} failed ({process.ExitCode}): {stderr}");
        }

        var line = stderr.Split('\n').Last(l => l.StartsWith("MAXRSS ", StringComparison.Ordinal));
        return (ms, long.Parse(line[7..], CultureInfo.InvariantCulture) * 1024);
    }
}
