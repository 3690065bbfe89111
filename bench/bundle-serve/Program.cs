using System.Globalization;
using System.Security.Cryptography;
using AtymSecure.Bench.BundleServe;
using AtymSecure.Bench.Http;

// Usage: dotnet run -c Release --project bench/bundle-serve -- [--size BYTES] [--connections C] [--seconds S] [--rounds R]
// Puts one bundle-sized file (default 1 MiB of random bytes: serving does not read inside a bundle) in the OTA server's
// bundle store under its sha256, starts the OTA server (releases library registered, so /bundles/sha256/{hex} is
// mapped) and Debian's nginx serving the same file, each as a process pinned to core 0, and downloads it with wrk
// (-t1, default 200 connections, keep-alive) pinned to core 1. Prints MB/s, latency and server CPU per MiB for each,
// and the ratio ours / nginx per round (servers take turns, order rotating per round).
if (args.Length > 0 && args[0] == OtaBenchServer.Mode) { await OtaBenchServer.RunAsync(args); return 0; }

int Option(string name, int fallback) => BenchArgs.Int(args, name, fallback);
var size = Option("--size", 1 << 20);
var connections = Option("--connections", 200);
var seconds = Option("--seconds", 10);
var rounds = Option("--rounds", 3);
Wrk.EnsureInstalled();
NginxPeer.EnsureInstalled();
Machine.PinDriverToClientCore();
var work = Directory.CreateTempSubdirectory("bundle-serve-bench-").FullName;
void Say(string line) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");
var loadAtStart = Machine.LoadAverage();
try
{
    Say(Machine.Describe());
    var data = Path.Combine(work, "data");
    var bytes = RandomNumberGenerator.GetBytes(size);
    var hex = Convert.ToHexStringLower(SHA256.HashData(bytes));
    // Where the bundle store keeps a cut bundle (BundleFileStore: DATA/bundles/sha256/HEX.bundle).
    var bundle = Path.Combine(Directory.CreateDirectory(Path.Combine(OtaBenchServer.Options(data, 1).DataDirectory, "bundles", "sha256")).FullName, hex + ".bundle");
    await File.WriteAllBytesAsync(bundle, bytes);

    using var ours = await OtaBenchServer.StartAsync(data, Path.Combine(work, "ota.log"));
    using var nginx = await NginxPeer.StartAsync(work, bundle, hex);
    var path = "/bundles/sha256/" + hex;
    foreach (var (label, server) in new[] { ("ours", ours), ("nginx", nginx) })
    {
        using var client = new HttpClient();
        var got = await client.GetByteArrayAsync($"http://127.0.0.1:{server.Port}{path}");
        if (!got.AsSpan().SequenceEqual(bytes)) throw new InvalidOperationException($"{label} served other bytes ({got.Length})");
    }
    Say("both serve the same bytes");

    var servers = new[] { ("ours", ours), ("nginx", nginx) };
    var results = new List<(int Round, string Server, WrkResult Result, double CpuSeconds)>();
    for (var round = 1; round <= rounds; round++)
    {
        for (var turn = 0; turn < servers.Length; turn++)
        {
            var (label, server) = servers[(turn + round) % servers.Length];
            var cpuBefore = server.CpuSeconds();
            var result = Wrk.Run(new WrkRun($"http://127.0.0.1:{server.Port}{path}", connections, TimeSpan.FromSeconds(seconds), Machine.ClientCore), work);
            var cpu = server.CpuSeconds() - cpuBefore;
            results.Add((round, label, result, cpu));
            Say(string.Create(CultureInfo.InvariantCulture,
                $"round {round} {label,-5} {result.MegabytesPerSecond,8:F0} MiB/s  {result.RequestsPerSecond,7:F0} downloads/s  p50 {result.P50Micros / 1000,7:F1} ms  p99 {result.P99Micros / 1000,7:F1} ms  server CPU {cpu / (result.Bytes / 1048576.0) * 1000,6:F2} ms/MiB  errors {result.SocketErrors}+{result.StatusErrors}  load {Machine.LoadAverage()}"));
        }
    }

    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"bundle serving, {size} B bundle, wrk -t1 -c{connections} {seconds} s per run, {rounds} round(s); {Environment.ProcessorCount} cores, server on core {Machine.ServerCore}, wrk on core {Machine.ClientCore}"));
    Console.WriteLine($"load average at start {loadAtStart}, at end {Machine.LoadAverage()}");
    Console.WriteLine();
    Console.WriteLine("| round | ours MiB/s | ours p50 / p99 ms | nginx MiB/s | nginx p50 / p99 ms | ours / nginx | ours CPU ms/MiB | nginx CPU ms/MiB | errors |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
    foreach (var group in results.GroupBy(r => r.Round))
    {
        var o = group.Single(r => r.Server == "ours");
        var n = group.Single(r => r.Server == "nginx");
        static double MsPerMib(WrkResult r, double cpu) => cpu / (r.Bytes / 1048576.0) * 1000;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {group.Key} | {o.Result.MegabytesPerSecond:F0} | {o.Result.P50Micros / 1000:F1} / {o.Result.P99Micros / 1000:F1} | {n.Result.MegabytesPerSecond:F0} | {n.Result.P50Micros / 1000:F1} / {n.Result.P99Micros / 1000:F1} | {o.Result.MegabytesPerSecond / n.Result.MegabytesPerSecond:F2} | {MsPerMib(o.Result, o.CpuSeconds):F2} | {MsPerMib(n.Result, n.CpuSeconds):F2} | {o.Result.SocketErrors + o.Result.StatusErrors} / {n.Result.SocketErrors + n.Result.StatusErrors} |"));
    }
    Console.WriteLine($"server memory (RSS) at the end: ours {Machine.Mib(ours.RssBytes())} (peak {Machine.Mib(ours.PeakRssBytes())}), nginx {Machine.Mib(nginx.RssBytes())}");
    return 0;
}
finally
{
    Directory.Delete(work, recursive: true);
}
