using System.Globalization;
using System.Text.RegularExpressions;
using AtymSecure.DeviceAgent;
using AtymSecure.DeviceAgent.Provisioning;
using AtymSecure.TestSupport;

namespace AtymSecure.EndToEnd.Tests.Ota;

/// <summary>
/// One <c>atym fleet simulate</c> process against the <see cref="OtaStack"/>'s server (through the device proxy, whose
/// origin devices sign), its devices enrolled with their own enrolment token, so a token made with <c>--group</c>
/// puts the whole fleet in that group. What the devices themselves hold is read from the live summary line the
/// process prints (each device's bootloader and runtime, not the server's belief) and from each device's folder.
/// </summary>
internal sealed partial class FleetProcess : IAsyncDisposable
{
    private readonly BackgroundProcess _process;
    private readonly string _data;

    private FleetProcess(BackgroundProcess process, string data, string group, int devices)
    {
        _process = process;
        _data = data;
        Group = group;
        Devices = devices;
    }

    public string Group { get; }

    public int Devices { get; }

    public string Log => _process.Log;

    /// <summary>Makes an enrolment token for <paramref name="group"/> and starts <paramref name="devices"/> devices with it in <paramref name="data"/>.</summary>
    public static async Task<FleetProcess> StartAsync(OtaStack stack, string group, int devices, string data)
    {
        var token = (await stack.Operator("ota", "token", "create", "--enrollment", "--group", group, "--label", "fleet " + group)).Trim();
        return Start(stack.Atym, [stack.DeviceProxy.Url], token, group, devices, data, stack.DirectorRoot, stack.ImageRoot);
    }

    /// <summary>Starts <paramref name="devices"/> devices over <paramref name="servers"/> (replicas: <c>--server</c> once each) with an
    /// enrolment token of <paramref name="group"/>.</summary>
    public static FleetProcess Start(AtymProcess atym, IReadOnlyList<Uri> servers, string token, string group, int devices, string data, string directorRoot, string imageRoot)
    {
        var process = atym.Start([.. "fleet simulate".Split(' '), .. servers.SelectMany(s => new[] { "--server", s.ToString() }), "--devices", $"{devices}",
            "--enroll-token", token, "--director-root", directorRoot, "--image-root", imageRoot, "--data", data]);
        return new FleetProcess(process, data, group, devices);
    }

    /// <summary>The last summary line: per version, how many devices hold it confirmed, on trial, or reverted it.</summary>
    public FleetCounts Summary
    {
        get
        {
            var line = SummaryLine().Matches(Log) is { Count: > 0 } lines ? lines[^1].Value : "";
            var versions = VersionCounts().Matches(line).ToDictionary(m => m.Groups["version"].Value,
                m => (Int(m, "confirmed"), Int(m, "trial"), Int(m, "failed")), StringComparer.Ordinal);
            return new FleetCounts(line, EnrolledCount().Match(line) is { Success: true } e ? int.Parse(e.Groups[1].Value, CultureInfo.InvariantCulture) : 0, versions);
        }
    }

    /// <summary>Waits (bounded) until the summary line says what <paramref name="holds"/> asks.</summary>
    public Task WaitForAsync(Func<FleetCounts, bool> holds, string what, TimeSpan timeout) =>
        Wait.UntilAsync(() => _process.HasExited ? throw new InvalidOperationException($"the {Group} fleet exited:\n{Log}") : holds(Summary),
            $"{Group} fleet: {what} (last: {Summary.Line})", timeout);

    /// <summary>Each device's id and everything its agent logged (device.log and its rotations, oldest first).</summary>
    public IReadOnlyDictionary<string, string> DeviceLogs()
    {
        var logs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var folder in Directory.GetDirectories(Path.Combine(_data, "devices")))
        {
            var device = new DeviceDirectory(folder);
            var id = DeviceIdentity.Parse(File.ReadAllBytes(device.IdentityFile)).DeviceId;
            // device.log.N is older than device.log.N-1; device.log is the newest.
            var files = Directory.GetFiles(folder, "device.log*")
                .OrderByDescending(f => Path.GetExtension(f) is [_, .. var n] && int.TryParse(n, CultureInfo.InvariantCulture, out var i) ? i : 0);
            logs[id] = string.Concat(files.Select(ReadShared));
        }
        return logs;
    }

    /// <summary>Ctrl+C: the fleet stops every device and exits 0 within a minute, so no device outlives the test.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        Assert.Equal(0, await _process.InterruptAsync(TimeSpan.FromMinutes(1)));
    }

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();

    // The running agent holds the file open for appending.
    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static int Int(Match m, string group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"devices \d+, enrolled \d+[^\n]*")]
    private static partial Regex SummaryLine();

    [GeneratedRegex(@"enrolled (\d+)")]
    private static partial Regex EnrolledCount();

    [GeneratedRegex(@"sensor-filter (?<version>\S+): (?<confirmed>\d+) confirmed, (?<trial>\d+) trial, (?<failed>\d+) failed")]
    private static partial Regex VersionCounts();
}

/// <summary>A fleet's summary line read back: devices enrolled, and per version (confirmed, on trial, reverted).</summary>
internal sealed record FleetCounts(string Line, int Enrolled, IReadOnlyDictionary<string, (int Confirmed, int Trial, int Failed)> Versions)
{
    public (int Confirmed, int Trial, int Failed) Of(string version) => Versions.GetValueOrDefault(version);
}
