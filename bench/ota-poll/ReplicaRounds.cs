using System.Globalization;
using AtymSecure.Bench.Http;

namespace AtymSecure.Bench.OtaPoll;

/// <summary>
/// <c>--store postgres://…</c>: poll throughput of one OTA replica against two on the same PostgreSQL database and data
/// folder (issue 17 §3). Both replicas are pinned to the server core, the load generator to the other; with two
/// replicas, two wrk processes split the connections, one per replica, and their rates are summed. PostgreSQL is not
/// pinned: it shares the machine, so besides each replica's own CPU per poll the machine's whole busy time per poll
/// (<c>/proc/stat</c>: replicas, PostgreSQL and wrk) is printed — on a 2-core machine two replicas show their overhead, not a
/// speed-up; the per-poll cost is what sizing needs (docs/scale-out.md). The second replica must answer the ETags the
/// first gave (its state comes from the shared store), which is checked before anything is measured.
/// </summary>
internal static class ReplicaRounds
{
    public static async Task RunAsync(ChildServer first, string data, string store, string work, string credentials, IReadOnlyList<PollingDevice> devices,
        int count, int seconds, int connections, int rounds, Action<string> say)
    {
        using var second = await OtaBenchServer.StartAsync(data, Path.Combine(work, "ota-2.log"), store);
        await PollLoad.CheckAsync(second.Port, devices); // the first replica's ETags answer 304 on the second
        say("replica 2 answers replica 1's ETags with 304");
        var rows = new List<string>();
        var perPath = new Dictionary<(string Path, int Replicas), List<double>>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var path in new[] { "304", "200" })
            {
                foreach (var replicas in round % 2 == 1 ? new[] { 1, 2 } : [2, 1])
                {
                    ChildServer[] servers = replicas == 1 ? [first] : [first, second];
                    var cpuBefore = servers.Select(s => s.CpuSeconds()).ToArray();
                    var busyBefore = Machine.BusySeconds();
                    var results = await Task.WhenAll(servers.Select(s => Task.Run(() => Wrk.Run(new WrkRun($"http://127.0.0.1:{s.Port}/",
                        Math.Max(1, connections / servers.Length), TimeSpan.FromSeconds(seconds), Machine.ClientCore, PollLoad.Script, [credentials, path]), work))));
                    var busy = Machine.BusySeconds() - busyBefore;
                    var cpu = servers.Select((s, i) => s.CpuSeconds() - cpuBefore[i]).Sum();
                    var requests = results.Sum(r => r.Requests);
                    var rate = results.Sum(r => r.RequestsPerSecond);
                    var errors = results.Sum(r => r.SocketErrors + r.StatusErrors);
                    var p99 = results.Max(r => r.P99Micros) / 1000;
                    (perPath.TryGetValue((path, replicas), out var list) ? list : perPath[(path, replicas)] = []).Add(rate);
                    var row = string.Create(CultureInfo.InvariantCulture,
                        $"| {(path == "304" ? "304" : "200")} | {round} | {replicas} | {rate:F0} | {results.Max(r => r.P50Micros) / 1000:F2} / {p99:F2} | {cpu / requests * 1e6:F1} | {busy / requests * 1e6:F1} | {errors} |");
                    rows.Add(row);
                    say(row);
                }
            }
        }
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"OTA poll on PostgreSQL, 1 vs 2 replicas, {count} devices, wrk -t1 -c{connections} (split over the replicas) {seconds} s per run, {rounds} round(s); {Environment.ProcessorCount} cores, replicas on core {Machine.ServerCore}, wrk on core {Machine.ClientCore}, PostgreSQL unpinned"));
        Console.WriteLine("| path | round | replicas | polls/s | p50 / p99 ms (worst replica) | replicas' CPU µs/poll | machine busy µs/poll (replicas + PostgreSQL + wrk) | errors |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var row in rows) Console.WriteLine(row);
        Console.WriteLine();
        foreach (var path in new[] { "304", "200" })
        {
            var one = perPath[(path, 1)].Max();
            var two = perPath[(path, 2)].Max();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path}: best 1 replica {one:F0} polls/s, best 2 replicas {two:F0} polls/s, ratio 2/1 = {two / one:F2}"));
        }
    }
}
