using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AtymSecure.Bench.Http;
using AtymSecure.Bench.RolloutHalt;
using AtymSecure.Formats.DeviceProtocol;

// Usage: dotnet run -c Release --project bench/rollout-halt -- [--devices N] [--rounds R]
// Issue 14 §4: the time from a canary's failed report to the halt being visible. Seeds N enrolled devices (default
// 200, groups eu/us) and R bad releases into a fresh data folder, starts the OTA server as a child process on core 0
// (as atym ota serve: rollouts ticking every second, poll interval 5 min), and per round deploys a bad release with a
// canary of 2 and halt-after-1-failure, sends one canary's signed report of a reverted trial to
// POST /api/v1/devices/{id}/reports, and reads GET /api/v1/deployments/{id} until it says halted. Prints, per round
// and as p50/max, the report's round trip and the time until the halt is visible, and that time as a share of the
// poll interval. The goal (within one poll interval) is printed, never asserted.
if (args.Length > 0 && args[0] == OtaBenchServer.Mode) { await OtaBenchServer.RunAsync(args); return 0; }

var count = BenchArgs.Int(args, "--devices", 200);
var rounds = BenchArgs.Int(args, "--rounds", 20);
var work = Directory.CreateTempSubdirectory("rollout-halt-bench-").FullName;
var data = Path.Combine(work, "data");
void Say(string line) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");
try
{
    Say(Machine.Describe());
    var fleet = HaltSeed.Seed(data, count, rounds);
    Machine.PinDriverToClientCore();
    Say($"seeded {count} devices and {rounds} bad releases");
    using var server = await OtaBenchServer.StartAsync(data, Path.Combine(work, "ota.log"));
    var pollInterval = OtaBenchServer.Options(data, server.Port).PollInterval;
    using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Port}"), Timeout = TimeSpan.FromSeconds(30) };
    var results = new List<(double ReportMs, double VisibleMs, int Reads)>();
    for (var round = 1; round <= rounds; round++)
    {
        var release = fleet.BadReleases[round - 1];
        var created = await SendAsync(client, HttpMethod.Post, "/api/v1/deployments", fleet.AdminToken,
            $$"""{"releaseId":"{{release.Id}}","target":{"groups":["eu","us"]},"canary":2,"waves":["100%"],"soak":"0s","halt":{"failures":1},"deviceTimeout":"10m"}""");
        var id = created.GetProperty("id").GetString()!;
        var canary = created.GetProperty("devices").EnumerateArray().First(d => d.GetProperty("state").GetString() == "offered").GetProperty("deviceId").GetString()!;
        var device = fleet.Devices.Single(d => d.Id == canary);
        var signed = HaltSeed.Sign(device, HaltSeed.Report(device.Id, release.Version)).ToJson();

        var clock = Stopwatch.StartNew();
        using (var report = new HttpRequestMessage(HttpMethod.Post, DeviceProtocolPaths.Reports(device.Id)) { Content = new ByteArrayContent(signed) })
        {
            report.Content.Headers.ContentType = new MediaTypeHeaderValue(DeviceProtocolPaths.MediaType);
            report.Headers.Authorization = new AuthenticationHeaderValue("Bearer", device.SessionToken);
            using var answer = await client.SendAsync(report);
            if (!answer.IsSuccessStatusCode) throw new InvalidOperationException($"report of {device.Id}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        }
        var reportMs = clock.Elapsed.TotalMilliseconds;
        var reads = 0;
        while (true)
        {
            reads++;
            var view = await SendAsync(client, HttpMethod.Get, $"/api/v1/deployments/{id}", fleet.AdminToken, null);
            if (view.GetProperty("status").GetString() == "halted") break;
            if (clock.Elapsed > pollInterval) throw new TimeoutException($"deployment {id} not halted {clock.Elapsed.TotalSeconds:F0} s after the failed report: {view}");
        }
        var visibleMs = clock.Elapsed.TotalMilliseconds;
        results.Add((reportMs, visibleMs, reads));
        Say(string.Create(CultureInfo.InvariantCulture, $"round {round}: report answered in {reportMs:F1} ms, halt visible after {visibleMs:F1} ms ({reads} read(s) of the deployment)"));
    }

    double P(IEnumerable<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
    }
    var visible = results.Select(r => r.VisibleMs).ToList();
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"rollout halt, {count} enrolled devices, {rounds} rounds (canary 2, halt after 1 failure); {Environment.ProcessorCount} cores, server on core {Machine.ServerCore}, this client on core {Machine.ClientCore}; load {Machine.LoadAverage()}"));
    Console.WriteLine();
    Console.WriteLine("| | p50 | max |");
    Console.WriteLine("|---|---|---|");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| failed report → its answer (ms) | {P(results.Select(r => r.ReportMs), 0.5):F1} | {results.Max(r => r.ReportMs):F1} |"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| failed report → halt visible in GET /api/v1/deployments/{{id}} (ms) | {P(visible, 0.5):F1} | {visible.Max():F1} |"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| as a share of the poll interval ({pollInterval.TotalSeconds:F0} s) | {P(visible, 0.5) / pollInterval.TotalMilliseconds:E1} | {visible.Max() / pollInterval.TotalMilliseconds:E1} |"));
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"goal (printed, not asserted): halt visible within one poll interval ({pollInterval.TotalSeconds:F0} s); worst round {visible.Max():F1} ms = {visible.Max() / pollInterval.TotalMilliseconds:P4} of it"));
    return 0;
}
finally
{
    Directory.Delete(work, recursive: true);
}

static async Task<JsonElement> SendAsync(HttpClient client, HttpMethod method, string path, string token, string? body)
{
    using var request = new HttpRequestMessage(method, path);
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
    using var response = await client.SendAsync(request);
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {text}");
    return JsonDocument.Parse(text).RootElement.Clone();
}
