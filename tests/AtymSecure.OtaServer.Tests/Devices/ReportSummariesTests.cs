using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaServer.Devices;
using AtymSecure.OtaServer.Tests.Infrastructure;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaServer.Tests.Devices;

/// <summary>
/// <see cref="ReportSummaries.RejectedVersions"/>: what the device's last report says it tried and reverted, which the
/// desired-state planner withholds (issue 12 §4: "the server stops offering what the device rejected").
/// </summary>
public sealed class ReportSummariesTests
{
    private const string DeviceId = "atym-00000000000000c1";
    private static readonly SlotReport V110 = new("b", "1.1.0", "sha256:" + new string('1', 64), 1);

    private static async Task<EquatableMap<string>> RejectedAfter(params ContainerReport[] containers)
    {
        await using var server = await OtaTestServer.StartAsync();
        var nonce = ProtocolJson.Base64Url(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        var report = new VersionReport(DeviceId, nonce, 1_764_547_200, "production", "0.1.0", new EquatableList<ContainerReport>(containers), 0, null);
        var stored = server.App.Services.GetRequiredService<IDeviceReportStore>().TryAppend(new DeviceReport(DeviceId, 0, nonce, DateTimeOffset.UnixEpoch,
            ProtocolJson.Base64Url(report.ToJson()), ProtocolJson.Base64Url([1])))!;
        var summaries = server.App.Services.GetRequiredService<ReportSummaries>();
        summaries.Remember(stored);
        return summaries.RejectedVersions(DeviceId);
    }

    [Fact]
    public async Task A_failed_trial_the_device_reverted_is_a_rejected_version()
    {
        var rejected = await RejectedAfter(new ContainerReport("sensor-filter", V110, null, 0, null, new TrialReport("failed", "1.2.0", "health probe failed")));
        Assert.Equal("1.2.0", Assert.Single(rejected).Value);
    }

    [Fact]
    public async Task A_passed_trial_a_trial_still_running_and_no_trial_reject_nothing()
    {
        var rejected = await RejectedAfter(
            new ContainerReport("passed", V110, null, 0, null, new TrialReport("passed", "1.1.0", null)),
            new ContainerReport("running", V110, V110 with { Slot = "a", Version = "1.3.0" }, 2, null, new TrialReport("failed", "1.3.0", "an earlier boot")),
            new ContainerReport("none", V110, null, 0, null, null));
        Assert.Empty(rejected);
    }
}
