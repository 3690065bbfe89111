using System.Diagnostics;
using System.Globalization;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Remote;
using AtymSecure.Oci.Wire;

// Usage: AtymSecure.Bench.Registry <ours host:port> <distribution host:port> [--small]
// Runs the same workloads with the same client against both registries and prints ratios.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: bench <ours host:port> <peer host:port> [--small]");
    return 2;
}
var small = args.Contains("--small");
var workloads = new Workload[]
{
    new("push 256 x 1 MiB blobs", Kind.PushBlobs, small ? 32 : 256, 1 << 20),
    new("pull 256 x 1 MiB blobs", Kind.PullBlobs, small ? 32 : 256, 1 << 20),
    new("push 4 x 64 MiB blobs", Kind.PushBlobs, 4, small ? 8 << 20 : 64 << 20),
    new("pull 4 x 64 MiB blobs", Kind.PullBlobs, 4, small ? 8 << 20 : 64 << 20),
    new("5000 manifest GETs", Kind.ManifestGets, small ? 500 : 5000, 0),
};
const int Clients = 8;
var results = new Dictionary<(string Registry, string Workload), double>();
foreach (var (label, host) in new[] { ("ours", args[0]), ("distribution", args[1]) })
{
    var run = $"bench{DateTime.UtcNow.Ticks % 1_000_000}";
    var repository = new Repository($"{host}/{run}/data", new RemoteOptions { ChunkedUploadThreshold = long.MaxValue });
    var blobs = new Dictionary<string, (byte[] Data, Descriptor Descriptor)[]>();
    foreach (var w in workloads)
    {
        var key = $"{w.Count}x{w.Size}";
        if (w.Kind == Kind.PushBlobs)
        {
            var seed = label.Length * 7919 + w.Size;
            blobs[key] = Enumerable.Range(0, w.Count).Select(i =>
            {
                var data = new byte[w.Size];
                new Random(seed + i).NextBytes(data);
                return (data, Descriptor.FromBytes(MediaTypes.OctetStream, data));
            }).ToArray();
        }
        var sw = Stopwatch.StartNew();
        switch (w.Kind)
        {
            case Kind.PushBlobs:
                await Parallel.ForEachAsync(blobs[key], new ParallelOptions { MaxDegreeOfParallelism = Clients }, async (b, ct) =>
                {
                    using var s = new MemoryStream(b.Data, writable: false);
                    await repository.PushAsync(b.Descriptor, s, ct);
                });
                break;
            case Kind.PullBlobs:
                await Parallel.ForEachAsync(blobs[key], new ParallelOptions { MaxDegreeOfParallelism = Clients }, async (b, ct) =>
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
                await Parallel.ForEachAsync(Enumerable.Range(0, w.Count), new ParallelOptions { MaxDegreeOfParallelism = Clients }, async (_, ct) =>
                {
                    var (d, content) = await repository.FetchAsync("bench", ct);
                    await using (content) await content.CopyToAsync(Stream.Null, ct);
                });
                break;
        }
        sw.Stop();
        var rate = w.Kind == Kind.ManifestGets ? w.Count / sw.Elapsed.TotalSeconds : (double)w.Count * w.Size / (1 << 20) / sw.Elapsed.TotalSeconds;
        results[(label, w.Name)] = rate;
        Console.Error.WriteLine($"{label,-13} {w.Name,-26} {rate,10:F1} {(w.Kind == Kind.ManifestGets ? "req/s" : "MB/s")}  ({sw.Elapsed.TotalSeconds:F2} s)");
    }
}

Console.WriteLine();
Console.WriteLine($"{"workload",-26} {"ours",12} {"distribution",14} {"ours/dist",10}   (8 concurrent clients, same client library)");
foreach (var w in workloads)
{
    var unit = w.Kind == Kind.ManifestGets ? "req/s" : "MB/s";
    var ours = results[("ours", w.Name)];
    var peer = results[("distribution", w.Name)];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{w.Name,-26} {ours,7:F1} {unit,-5} {peer,8:F1} {unit,-5} {ours / peer,9:F2}x"));
}
return 0;

internal enum Kind { PushBlobs, PullBlobs, ManifestGets }

internal sealed record Workload(string Name, Kind Kind, int Count, int Size);
