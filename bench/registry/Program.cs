using System.Diagnostics;
using System.Globalization;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Remote;
using AtymSecure.Oci.Wire;

// Usage: AtymSecure.Bench.Registry label=host:port ... distribution=host:port [--small] [--repeat N] [--baseline LABEL]
// Runs the same workloads with the same client against every registry and prints each one's rate
// relative to the one labelled "distribution" (or --baseline LABEL: bench/registry-s3 compares against "local"). Registries take turns per workload (the order rotates
// each round), so a noisy neighbour on a shared machine hits all of them alike; ranges are over rounds.
var small = args.Contains("--small");
var repeatAt = Array.IndexOf(args, "--repeat");
var rounds = repeatAt >= 0 && repeatAt + 1 < args.Length ? int.Parse(args[repeatAt + 1], CultureInfo.InvariantCulture) : 1;
var baselineAt = Array.IndexOf(args, "--baseline");
var baseline = baselineAt >= 0 && baselineAt + 1 < args.Length ? args[baselineAt + 1] : "distribution";
// label=host:port[@pid]: with the server's pid, its CPU time (user+system, /proc/PID/stat) per workload is
// reported too; unlike wall time it hardly depends on what else the shared machine is doing.
var registries = args.Where(a => a.Contains('=', StringComparison.Ordinal))
    .Select(a =>
    {
        var label = a[..a.IndexOf('=', StringComparison.Ordinal)];
        var rest = a[(a.IndexOf('=', StringComparison.Ordinal) + 1)..];
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        return (Label: label, Host: at < 0 ? rest : rest[..at], Pid: at < 0 ? 0 : int.Parse(rest[(at + 1)..], CultureInfo.InvariantCulture));
    })
    .ToList();
if (registries.Count < 2 || registries.All(r => r.Label != baseline) || rounds < 1)
{
    Console.Error.WriteLine("usage: bench label=host:port ... distribution=host:port [--small] [--repeat N] [--baseline LABEL]");
    return 2;
}
var workloads = new Workload[]
{
    new("push 256 x 1 MiB blobs", Kind.PushBlobs, small ? 32 : 256, 1 << 20),
    new("pull 256 x 1 MiB blobs", Kind.PullBlobs, small ? 32 : 256, 1 << 20),
    new("push 4 x 64 MiB blobs", Kind.PushBlobs, 4, small ? 8 << 20 : 64 << 20),
    new("pull 4 x 64 MiB blobs", Kind.PullBlobs, 4, small ? 8 << 20 : 64 << 20),
    new("5000 manifest GETs", Kind.ManifestGets, small ? 500 : 5000, 0),
};
const int Clients = 8;
var results = new Dictionary<(int Round, string Registry, string Workload), Measurement>();
using var self = System.Diagnostics.Process.GetCurrentProcess();
for (var round = 0; round < rounds; round++)
{
    var run = $"bench{DateTime.UtcNow.Ticks % 1_000_000}r{round}";
    var repositories = registries.ToDictionary(r => r.Label,
        r => new Repository($"{r.Host}/{run}/data", new RemoteOptions { ChunkedUploadThreshold = long.MaxValue }));
    var blobs = new Dictionary<string, (byte[] Data, Descriptor Descriptor)[]>();
    foreach (var w in workloads)
    {
        var key = $"{w.Count}x{w.Size}";
        if (w.Kind == Kind.PushBlobs)
        {
            var seed = round * 1_000_003 + w.Size;
            blobs[key] = Enumerable.Range(0, w.Count).Select(i =>
            {
                var data = new byte[w.Size];
                new Random(seed + i).NextBytes(data);
                return (data, Descriptor.FromBytes(MediaTypes.OctetStream, data));
            }).ToArray();
        }
        for (var turn = 0; turn < registries.Count; turn++)
        {
            var (label, _, pid) = registries[(turn + round) % registries.Count];
            var cpuBefore = ServerCpuSeconds(pid);
            self.Refresh();
            var clientBefore = self.TotalProcessorTime;
            var elapsed = await RunAsync(w, repositories[label], blobs, key);
            var serverCpu = ServerCpuSeconds(pid) - cpuBefore;
            self.Refresh();
            var clientCpu = (self.TotalProcessorTime - clientBefore).TotalSeconds;
            var rate = w.Kind == Kind.ManifestGets ? w.Count / elapsed.TotalSeconds : (double)w.Count * w.Size / (1 << 20) / elapsed.TotalSeconds;
            results[(round, label, w.Name)] = new Measurement(rate, serverCpu, clientCpu);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round + 1} {label,-13} {w.Name,-26} {rate,10:F1} {(w.Kind == Kind.ManifestGets ? "req/s" : "MB/s")}  ({elapsed.TotalSeconds:F2} s, server CPU {serverCpu:F2} s, client CPU {clientCpu:F2} s)"));
        }
    }
}

Console.WriteLine();
Console.WriteLine($"{Clients} concurrent clients, same client library, {rounds} round(s); ratio = rate / {baseline}'s rate in the same round");
foreach (var w in workloads)
{
    var unit = w.Kind == Kind.ManifestGets ? "req/s" : "MB/s";
    Console.WriteLine($"{w.Name}");
    foreach (var (label, _, pid) in registries)
    {
        var runs = Enumerable.Range(0, rounds).Select(r => results[(r, label, w.Name)]).ToList();
        var rates = runs.Select(m => m.Rate).ToList();
        var ratios = Enumerable.Range(0, rounds).Select(r => runs[r].Rate / results[(r, baseline, w.Name)].Rate).ToList();
        var cpus = runs.Select(m => m.ServerCpu).ToList();
        var clients = runs.Select(m => m.ClientCpu).ToList();
        var cpuText = string.Create(CultureInfo.InvariantCulture, $"  client CPU {clients.Min():F2}-{clients.Max():F2} s")
            + (pid == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"  server CPU {cpus.Min():F2}-{cpus.Max():F2} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {label,-14} {rates.Min(),8:F1}-{rates.Max(),-8:F1} {unit,-5}  ratio {ratios.Min(),5:F2}-{ratios.Max():F2}x  [{string.Join(' ', ratios.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))}]{cpuText}"));
    }
}
return 0;

// utime + stime (fields 14 and 15 of /proc/PID/stat, in clock ticks of 1/100 s on Linux); 0 without a pid.
static double ServerCpuSeconds(int pid)
{
    if (pid == 0) return 0;
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
}

static async Task<TimeSpan> RunAsync(Workload w, Repository repository, Dictionary<string, (byte[] Data, Descriptor Descriptor)[]> blobs, string key)
{
    var options = new ParallelOptions { MaxDegreeOfParallelism = Clients };
    var sw = Stopwatch.StartNew();
    switch (w.Kind)
    {
        case Kind.PushBlobs:
            await Parallel.ForEachAsync(blobs[key], options, async (b, ct) =>
            {
                using var s = new MemoryStream(b.Data, writable: false);
                await repository.PushAsync(b.Descriptor, s, ct);
            });
            break;
        case Kind.PullBlobs:
            await Parallel.ForEachAsync(blobs[key], options, async (b, ct) =>
            {
                await using var s = await repository.FetchAsync(b.Descriptor, ct);
                await s.CopyToAsync(Stream.Null, 1 << 16, ct);
            });
            break;
        case Kind.ManifestGets:
            var layers = blobs.Values.First().Take(4).Select(b => b.Descriptor).ToList();
            await repository.PushBytesAsync(MediaTypes.EmptyJson, "{}"u8.ToArray());
            var manifestBytes = OciJson.Serialize(new ImageManifest { ArtifactType = "application/vnd.example.bench", Config = Descriptor.Empty with { Data = null }, Layers = layers });
            var manifest = Descriptor.FromBytes(MediaTypes.ImageManifest, manifestBytes);
            using (var s = new MemoryStream(manifestBytes)) await repository.PushAsync(manifest, s, "bench");
            sw.Restart();
            await Parallel.ForEachAsync(Enumerable.Range(0, w.Count), options, async (_, ct) =>
            {
                var (d, content) = await repository.FetchAsync("bench", ct);
                await using (content) await content.CopyToAsync(Stream.Null, ct);
            });
            break;
    }
    return sw.Elapsed;
}

internal enum Kind { PushBlobs, PullBlobs, ManifestGets }

internal sealed record Workload(string Name, Kind Kind, int Count, int Size);

/// <summary>One registry's result for one workload in one round: rate (MB/s or req/s) and CPU seconds spent.</summary>
internal readonly record struct Measurement(double Rate, double ServerCpu, double ClientCpu);
