using System.Diagnostics;
using System.Text.RegularExpressions;
using AtymSecure.TestSupport;
using Xunit.Abstractions;

namespace AtymSecure.EndToEnd.Tests;

/// <summary>
/// <c>atym up</c> as a newcomer runs it, a real process on a fresh folder (free ports): the registry and OTA server start,
/// the samples are pushed, signed and released, the simulated fleet enrols and confirms 1.0.0 (how long that took is
/// printed, not asserted). Against that server an <c>atym fleet simulate</c> process enrols devices of its own. Ctrl+C
/// (SIGINT) stops <c>atym up</c> cleanly; a second <c>atym up</c> on the same folder resumes: the same devices, no new
/// enrolment, the release reused and offered to nobody again.
/// </summary>
[Trait("Requires", "process")]
public sealed partial class UpProcessTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(4);
    private readonly TempFolder _folder = TempFolder.Create("e2e-up");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Atym_up_on_a_fresh_folder_enrols_its_fleet_confirms_a_release_stops_on_ctrl_c_and_resumes()
    {
        var atym = new AtymProcess(RepositoryRoot.Path, new Dictionary<string, string>());
        var data = _folder.File("state");
        // Fixed for both runs, as the defaults are: devices signed their enrolment for the server's origin.
        var (registryPort, otaPort) = (LoopbackPort.Next(), LoopbackPort.Next());
        var args = new[] { "up", "--data", data, "--registry-port", $"{registryPort}", "--ota-port", $"{otaPort}", "--devices", "4" };
        var clock = Stopwatch.StartNew();
        string otaUrl, release;
        await using (var up = atym.Start(args))
        {
            await up.WaitForLogAsync("4 devices enrolled", Bound);
            var enrolled = clock.Elapsed;
            await up.WaitForLogAsync("1.0.0 all devices: all 4 confirmed", Bound);
            output.WriteLine($"atym up on a fresh folder: 4 devices enrolled after {enrolled.TotalSeconds:0.0} s, 1.0.0 confirmed on all after {clock.Elapsed.TotalSeconds:0.0} s");
            otaUrl = OtaUrl().Match(up.Log).Groups[1].Value;
            release = Release().Match(up.Log).Groups[1].Value;
            Assert.StartsWith("http://127.0.0.1:", otaUrl, StringComparison.Ordinal);

            // A fleet of its own against the same server, with the enrolment token and roots atym up made.
            var fleet = await atym.Run("fleet", "simulate", "--server", otaUrl, "--devices", "2", "--data", _folder.File("fleet"),
                "--enroll-token", File.ReadAllText(Path.Combine(data, "up", "enroll.token")).Trim(),
                "--director-root", Path.Combine(data, "tuf-offline", "director", "1.root.json"),
                "--image-root", Path.Combine(data, "tuf-offline", "image", "1.root.json"), "--duration", "00:00:20");
            output.WriteLine(fleet.StdOut);
            Assert.True(fleet.ExitCode == 0, fleet.StdOut + fleet.StdErr);
            Assert.Contains("devices 2, enrolled 2", fleet.StdOut, StringComparison.Ordinal);
            Assert.Contains("fleet: stopped", fleet.StdOut, StringComparison.Ordinal);

            Assert.Equal(0, await up.InterruptAsync(TimeSpan.FromMinutes(1)));
            Assert.Contains("stopped", up.Log.Split('\n')[^2], StringComparison.Ordinal);
            output.WriteLine(up.Log);
        }
        var devices = Directory.GetDirectories(Path.Combine(data, "fleet", "devices")).Order().ToList();

        await using (var again = atym.Start(args))
        {
            await again.WaitForLogAsync("1.0.0 all devices: offered to 0 device(s), 4 already decided", Bound);
            Assert.Contains($"release {release}: sensor-filter 1.0.0", again.Log, StringComparison.Ordinal);
            Assert.Equal(devices, Directory.GetDirectories(Path.Combine(data, "fleet", "devices")).Order().ToList());
            Assert.Equal(0, await again.InterruptAsync(TimeSpan.FromMinutes(1)));
        }
    }

    [GeneratedRegex(@"OTA API\s+(http://127\.0\.0\.1:\d+/)")]
    private static partial Regex OtaUrl();

    [GeneratedRegex(@"release (rel-[0-9a-f]+): sensor-filter 1\.0\.0")]
    private static partial Regex Release();
}
