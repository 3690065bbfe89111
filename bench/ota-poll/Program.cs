using System.Diagnostics;
using System.Globalization;
using AtymSecure.Bench.Http;
using AtymSecure.Bench.OtaPoll;

// Usage: dotnet run -c Release --project bench/ota-poll -- [--data DIR] [--devices N] [--seconds S] [--connections C] [--rounds R]
// Seeds N enrolled devices (default 100,000) into a fresh data folder, starts the OTA server as a child process on
// core 0, warms every device up with one poll, then drives the 304 path (If-None-Match = the device's ETag) and the
// changed path (no ETag: 200 with signed director targets) with wrk on core 1, rotating through every device's
// session; in the same run a bare Kestrel endpoint returning the same bytes (this machine's limit). Prints polls/s,
// p50/p99, the ratio ours / bare per round, the server's CPU per poll and its memory with N devices. Goals are
// printed next to the figures, never asserted.
if (args.Length > 0 && args[0] == OtaBenchServer.Mode) { await OtaBenchServer.RunAsync(args); return 0; }
if (args.Length > 0 && args[0] == BareEndpoint.Mode) { await BareEndpoint.RunAsync(args); return 0; }

int Option(string name, int fallback) => BenchArgs.Int(args, name, fallback);
var count = Option("--devices", 100_000);
var seconds = Option("--seconds", 10);
var connections = Option("--connections", 64);
var rounds = Option("--rounds", 3);
// --store postgres://… measures 1 vs 2 replicas on that database instead of ours vs bare (ReplicaRounds).
var store = BenchArgs.Text(args, "--store");
// --data DIR keeps the seeded fleet for the next run (seeding 100k devices through LiteDB takes minutes); the
// default is a fresh temporary folder, removed at the end.
Wrk.EnsureInstalled();
var work = Directory.CreateTempSubdirectory("ota-poll-bench-").FullName;
var data = BenchArgs.Text(args, "--data") is { } kept ? Path.GetFullPath(kept) : Path.Combine(work, "data");
void Say(string line) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");
var loadAtStart = Machine.LoadAverage();
try
{
    Say(Machine.Describe());
    var clock = Stopwatch.StartNew();
    var seeded = FleetSeed.SeedOrReuse(data, count, Say, store);
    Machine.PinDriverToClientCore();
    Say(string.Create(CultureInfo.InvariantCulture, $"seeded {count} devices, reports and sessions in {clock.Elapsed.TotalSeconds:F0} s"));

    using var ours = await OtaBenchServer.StartAsync(data, Path.Combine(work, "ota.log"), store);
    var rssStarted = ours.RssBytes();
    clock.Restart();
    var (devices, sample) = await PollLoad.WarmUpAsync(ours.Port, seeded, 32);
    Say(string.Create(CultureInfo.InvariantCulture, $"warm-up: {count} first polls (director targets signed per device) in {clock.Elapsed.TotalSeconds:F0} s"));
    await PollLoad.CheckAsync(ours.Port, devices);
    var rssWarm = ours.RssBytes();
    var credentials = Path.Combine(work, "credentials.txt");
    PollLoad.WriteCredentials(credentials, devices);
    if (store is not null)
    {
        await ReplicaRounds.RunAsync(ours, data, store, work, credentials, devices, count, seconds, connections, rounds, Say);
        return 0;
    }
    var bodyFile = Path.Combine(work, "sample-answer.json");
    await File.WriteAllBytesAsync(bodyFile, sample);

    var barePort = Machine.FreePort();
    var (self, prefix) = Machine.Self();
    using var bare = await ChildServer.StartAsync(self, [.. prefix, .. BareEndpoint.ChildArgs(barePort, bodyFile, devices[0].ETag)],
        Machine.ServerCore, barePort, Path.Combine(work, "bare.log"), TimeSpan.FromMinutes(1));

    var results = new List<(int Round, string Path, string Server, WrkResult Result, double CpuSeconds)>();
    var servers = new[] { ("ours", ours), ("bare", bare) };
    for (var round = 1; round <= rounds; round++)
    {
        foreach (var path in new[] { "304", "200" })
        {
            for (var turn = 0; turn < servers.Length; turn++)
            {
                var (label, server) = servers[(turn + round) % servers.Length];
                var cpuBefore = server.CpuSeconds();
                var result = Wrk.Run(new WrkRun($"http://127.0.0.1:{server.Port}/", connections, TimeSpan.FromSeconds(seconds), Machine.ClientCore,
                    PollLoad.Script, [credentials, path]), work);
                var cpu = server.CpuSeconds() - cpuBefore;
                results.Add((round, path, label, result, cpu));
                Say(string.Create(CultureInfo.InvariantCulture,
                    $"round {round} {path} {label,-4} {result.RequestsPerSecond,9:F0} polls/s  p50 {result.P50Micros / 1000,6:F2} ms  p99 {result.P99Micros / 1000,6:F2} ms  server CPU {cpu / result.Requests * 1e6,6:F1} µs/poll  errors {result.SocketErrors}+{result.StatusErrors}  load {Machine.LoadAverage()}"));
            }
        }
    }

    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"OTA poll, {count} enrolled devices, wrk -t1 -c{connections} {seconds} s per run, {rounds} round(s); {Environment.ProcessorCount} cores, server on core {Machine.ServerCore}, wrk on core {Machine.ClientCore}"));
    Console.WriteLine($"load average at start {loadAtStart}, at end {Machine.LoadAverage()}");
    Console.WriteLine();
    Console.WriteLine("| path | round | ours polls/s | ours p50 / p99 ms | bare polls/s | bare p50 / p99 ms | ours / bare | ours server CPU µs/poll | bare µs/poll | errors |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
    foreach (var group in results.GroupBy(r => (r.Path, r.Round)))
    {
        var o = group.Single(r => r.Server == "ours");
        var b = group.Single(r => r.Server == "bare");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {(group.Key.Path == "304" ? "304 not modified" : "200 changed (signed director targets)")} | {group.Key.Round} | {o.Result.RequestsPerSecond:F0} | {o.Result.P50Micros / 1000:F2} / {o.Result.P99Micros / 1000:F2} | {b.Result.RequestsPerSecond:F0} | {b.Result.P50Micros / 1000:F2} / {b.Result.P99Micros / 1000:F2} | {o.Result.RequestsPerSecond / b.Result.RequestsPerSecond:F2} | {o.CpuSeconds / o.Result.Requests * 1e6:F1} | {b.CpuSeconds / b.Result.Requests * 1e6:F1} | {o.Result.SocketErrors + o.Result.StatusErrors} / {b.Result.SocketErrors + b.Result.StatusErrors} |"));
    }
    var best304 = results.Where(r => r.Path == "304" && r.Server == "ours").MaxBy(r => r.Result.RequestsPerSecond);
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"goal (printed, not asserted): 304 path >= 20000 polls/s, p99 < 10 ms, >= 0.5x bare; best round: {best304.Result.RequestsPerSecond:F0} polls/s, p99 {best304.Result.P99Micros / 1000:F2} ms"));
    Console.WriteLine($"server memory (RSS): {Machine.Mib(rssStarted)} started, {Machine.Mib(rssWarm)} after every device polled once, {Machine.Mib(ours.RssBytes())} at the end, peak {Machine.Mib(ours.PeakRssBytes())}; bare endpoint {Machine.Mib(bare.RssBytes())}");
    return 0;
}
catch (Exception) when (File.Exists(Path.Combine(work, "ota.log")))
{
    // The server's own account of a failure is in its log, which goes with the work folder: show its end first.
    // Its failures (fail:/crit: entries and the lines under them), not the Information lines around them.
    Console.Error.WriteLine("--- failures in the OTA server's log ---");
    var inFailure = false;
    foreach (var line in File.ReadLines(Path.Combine(work, "ota.log")))
    {
        if (line.Length > 0 && line[0] != ' ') inFailure = line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal);
        if (inFailure) Console.Error.WriteLine(line);
    }
    throw;
}
finally
{
    Directory.Delete(work, recursive: true);
}
