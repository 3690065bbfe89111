using AtymSecure.DeviceAgent.Http;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.Runtime.Health;

namespace AtymSecure.DeviceAgent.Tests.Http;

/// <summary>
/// The version report carries the device's boot count (issue 12 §4: the report carries the boot report): every power-on's
/// boot selection is numbered in status.json, and the report built after N power-ons says N, through its wire form too.
/// </summary>
public sealed class VersionReportsTests : IDisposable
{
    private readonly DeviceFixture _device = new("sensor-filter");

    public void Dispose() => _device.Dispose();

    private VersionReport Report()
    {
        using var device = LocalDevice.Open(_device.Data);
        return VersionReports.Of(device, "nonce-1234567890123456", null);
    }

    [Fact]
    public void A_report_after_three_power_ons_counts_three_boots_and_a_device_never_booted_counts_none()
    {
        Assert.Equal(0, Report().BootCount);
        for (var boot = 1; boot <= 3; boot++)
        {
            var status = _device.Run();
            Assert.Equal(boot, status.LastBoot!.Number);
        }

        var report = Report();
        Assert.Equal(3, report.BootCount);
        Assert.Equal(3, VersionReport.Parse(report.ToJson()).BootCount);
        // Opening the device to build the report is no boot.
        Assert.Equal(3, Report().BootCount);
    }

    [Fact]
    public void Boots_are_counted_on_from_a_status_file_written_before_boot_numbers()
    {
        _device.Run();
        // A status.json of before: its last boot has no number, so the next boot is the first this file counts.
        var status = _device.Status();
        (status with { LastBoot = status.LastBoot! with { Number = null } }).Save(new DeviceDirectory(_device.Data));
        Assert.Equal(0, Report().BootCount);
        Assert.Equal(1, _device.Run().LastBoot!.Number);
        Assert.Equal(1, Report().BootCount);
    }

    [Fact]
    public void Trial_verdicts_are_reported_in_the_words_the_server_decides_on()
    {
        // The rollout engine halts on TrialReport.Failed; a device saying anything else would never be counted as reverted.
        Assert.Equal(
            [TrialReport.Pending, TrialReport.Passed, TrialReport.Failed],
            Enum.GetValues<TrialVerdict>().Select(StatusNames.Of));
    }
}
