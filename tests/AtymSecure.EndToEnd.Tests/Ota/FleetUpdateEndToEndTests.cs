using System.Text.Json;
using System.Text.RegularExpressions;
using AtymSecure.TestSupport;

namespace AtymSecure.EndToEnd.Tests.Ota;

/// <summary>
/// Issue 12 §6, the product's main path through real processes only (<see cref="OtaStack"/>): a production device
/// (<c>atym device run --server</c>, enrolled with a fleet token) gets a release assigned with <c>atym ota assign</c>,
/// verifies the director and image metadata, downloads, installs, trials and confirms it; the next version arrives
/// as a delta (the bytes it downloaded are the delta bundle's, counted by the server as delta bytes); a version
/// whose health probe fails is reverted on the device, the revert is in the server's view of the device within a
/// poll or two, and the server stops offering that version.
/// </summary>
[Trait("Requires", "process")]
[Collection(OtaStackCollection.Name)]
public sealed partial class FleetUpdateEndToEndTests(OtaStack stack)
{
    private const string Container = OtaStack.Container;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task A_device_installs_a_release_takes_the_next_as_a_delta_and_reverts_a_bad_one_which_the_server_then_withholds()
    {
        await using var device = await stack.ProvisionDeviceAsync("main-path");
        device.Start();
        await device.WaitForLogAsync("enrolled with");

        // v1: full bundle, installed, trialled, confirmed, and reported.
        var fullBefore = await stack.MetricAsync("atym_ota_bundle_bytes_total", "kind=\"full\"");
        await stack.Operator("ota", "assign", await stack.ReleaseAsync("1.0.0"), "--device", device.Id);
        await device.WaitForLogAsync("trial of 1.0.0 passed: confirmed");
        await device.WaitForConfirmedAsync(Container, "1.0.0");
        await ServerSeesAsync(device, c => Text(c, "confirmed") == "1.0.0", "the server to show 1.0.0 confirmed");
        var v1Bytes = Downloaded(device.Log, "1.0.0");
        Assert.Equal(v1Bytes, await stack.MetricAsync("atym_ota_bundle_bytes_total", "kind=\"full\"") - fullBefore);

        // v2 of the same container: a delta from the confirmed 1.0.0, much smaller than the full bundle.
        var deltaBefore = await stack.MetricAsync("atym_ota_bundle_bytes_total", "kind=\"delta\"");
        fullBefore = await stack.MetricAsync("atym_ota_bundle_bytes_total", "kind=\"full\"");
        await stack.Operator("ota", "assign", await stack.ReleaseAsync("1.1.0"), "--device", device.Id);
        await device.WaitForLogAsync("trial of 1.1.0 passed: confirmed");
        var v2Bytes = Downloaded(device.Log, "1.1.0");
        Assert.Equal(v2Bytes, await stack.MetricAsync("atym_ota_bundle_bytes_total", "kind=\"delta\"") - deltaBefore);
        Assert.Equal(0, await stack.MetricAsync("atym_ota_bundle_bytes_total", "kind=\"full\"") - fullBefore);
        Assert.True(v2Bytes * 4 < v1Bytes, $"the delta ({v2Bytes} bytes) should be far smaller than the full bundle ({v1Bytes} bytes)");
        await ServerSeesAsync(device, c => Text(c, "confirmed") == "1.1.0", "the server to show 1.1.0 confirmed");

        // A version whose health probe fails: reverted by the device, visible on the server, then no longer offered.
        await stack.Operator("ota", "assign", await stack.ReleaseAsync("1.2.0"), "--device", device.Id);
        await device.WaitForLogAsync("trial of 1.2.0 failed: reverted; running 1.1.0 (health probe failed");
        await device.WaitForConfirmedAsync(Container, "1.1.0");
        await ServerSeesAsync(device, c => Text(c, "confirmed") == "1.1.0" && Text(c, "lastTrialVerdict") == "failed",
            "the server to show the failed trial of 1.2.0 and 1.1.0 still confirmed");
        // Withheld: over the next polls the device neither downloads nor installs 1.2.0 again.
        var polls = await stack.MetricAsync("atym_ota_polls_total", "result=");
        await Wait.UntilAsync(async () => await PollsAsync() >= polls + 5, "five more polls of the device", Deadline, Every);
        Assert.True(Regex.Count(device.Log, Regex.Escape($"install {Container}@1.2.0: installed")) == 1, "1.2.0 was installed again:\n" + device.Log);
        Assert.Single(DownloadLines().Matches(device.Log), m => m.Groups["version"].Value == "1.2.0");

        async Task<double> PollsAsync() =>
            await stack.MetricAsync("atym_ota_polls_total", "result=\"changed\"") + await stack.MetricAsync("atym_ota_polls_total", "result=\"not-modified\"");
    }

    /// <summary>Waits (bounded) until the server's last report of the device shows the container as <paramref name="holds"/> says.</summary>
    private async Task ServerSeesAsync(TestDevice device, Func<JsonElement, bool> holds, string what) =>
        await Wait.UntilAsync(async () =>
        {
            var seen = await stack.DeviceAsync(device.Id);
            return seen is { } d && d.GetProperty("lastReport") is { ValueKind: JsonValueKind.Object } report
                && report.GetProperty("containers").EnumerateArray().Any(c => Text(c, "name") == Container && holds(c));
        }, what, Deadline, Every);

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>The byte count of the device's one "downloaded …" line for <paramref name="version"/>.</summary>
    private static long Downloaded(string log, string version) =>
        long.Parse(Assert.Single(DownloadLines().Matches(log), m => m.Groups["version"].Value == version).Groups["bytes"].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"downloaded sensor-filter (?<version>\S+) \(c\d+\) \((?<bytes>\d+) bytes, verified\)")]
    private static partial Regex DownloadLines();
}
