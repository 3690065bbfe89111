using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Updates;
using AtymSecure.Runtime.Health;

namespace AtymSecure.DeviceAgent.Tests.Updates;

/// <summary>
/// <see cref="InstallAwaiter.Judge"/> over hand-made status records (the running agent writing them is covered by
/// <see cref="InboxOfflineExportTests"/>): which lines belong to the file, refusal before anything else, a trial decided
/// after the install, and nothing concluded from a file still in the inbox.
/// </summary>
public sealed class InstallAwaiterTests
{
    private const string File = "20261204T220000-atym-export-0123456789ab.tar";
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 22, 0, 0, TimeSpan.Zero);

    private static InstallStatus Installed(string container = "sensor-filter", string version = "1.0.0", string file = File) =>
        new(T0, $"{container}@{version} (offline export {file})", container, version, InstallResult.Installed, SlotId.B, "installed");

    private static TrialStatus Trial(TrialVerdict verdict, DateTimeOffset at, string version = "1.0.0") =>
        new(at, "sensor-filter", version, verdict, verdict == TrialVerdict.Passed ? "healthy" : "probe failed 3 times", version);

    private static ContainerStatus Confirmed(string version) =>
        new("sensor-filter", ContainerState.Confirmed, SlotId.B, SlotId.None, 0, 0,
            [new SlotStatus(SlotId.A, null, 0, null, 0, false), new SlotStatus(SlotId.B, version, 1024, "sha256:00", 0, true)], null);

    [Fact]
    public void A_file_still_in_the_inbox_has_no_verdict_even_if_old_lines_name_it()
    {
        var status = new DeviceStatus { Installs = [Installed()], Trials = [Trial(TrialVerdict.Passed, T0.AddSeconds(5))], Containers = [Confirmed("1.0.0")] };
        var (verdict, waiting) = InstallAwaiter.Judge(status, File, inInbox: true);
        Assert.Null(verdict);
        Assert.Contains("has not taken", waiting, StringComparison.Ordinal);
    }

    [Fact]
    public void A_taken_file_without_lines_has_no_verdict()
    {
        var status = new DeviceStatus { Installs = [Installed(file: "20261204T210000-other.tar")] };
        var (verdict, waiting) = InstallAwaiter.Judge(status, File, inInbox: false);
        Assert.Null(verdict);
        Assert.Contains("names no install", waiting, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_latest_take_of_a_name_is_judged()
    {
        // The same .swu installed twice drops under one name: take 1 was refused, take 2 installed and confirmed.
        var refusedEarlier = new InstallStatus(T0.AddMinutes(-5), "offline export " + File, null, null, InstallResult.Refused, null, "threshold-not-met: …") { Take = 1 };
        var installed = Installed() with { Take = 2 };
        var status = new DeviceStatus { Installs = [refusedEarlier, installed], Trials = [Trial(TrialVerdict.Passed, T0.AddSeconds(5))], Containers = [Confirmed("1.0.0")] };
        var (verdict, _) = InstallAwaiter.Judge(status, File, inInbox: false);
        Assert.Equal(InstallVerdictKind.Confirmed, verdict!.Kind);
        Assert.Equal([installed], verdict.Installs);

        // And the other way round: a confirmed take 1 does not hide take 2's refusal.
        var refusedNow = refusedEarlier with { At = T0.AddMinutes(5), Take = 3 };
        var (later, _) = InstallAwaiter.Judge(status with { Installs = [refusedEarlier, installed, refusedNow] }, File, inInbox: false);
        Assert.Equal(InstallVerdictKind.Refused, later!.Kind);
        Assert.Equal([refusedNow], later.Installs);
    }

    [Fact]
    public void Lines_without_a_take_number_count_only_when_none_has_one()
    {
        // Written before takes were numbered: all lines of the name are judged together, as they were then.
        var old = new InstallStatus(T0.AddMinutes(-5), "offline export " + File, null, null, InstallResult.Refused, null, "threshold-not-met: …");
        var status = new DeviceStatus { Installs = [old, Installed()], Trials = [Trial(TrialVerdict.Passed, T0.AddSeconds(5))], Containers = [Confirmed("1.0.0")] };
        Assert.Equal(InstallVerdictKind.Refused, InstallAwaiter.Judge(status, File, inInbox: false).Verdict!.Kind);
        // Beside a numbered take, an unnumbered line is older than it and not judged.
        var numbered = status with { Installs = [old, Installed() with { Take = 1 }] };
        Assert.Equal(InstallVerdictKind.Confirmed, InstallAwaiter.Judge(numbered, File, inInbox: false).Verdict!.Kind);
    }

    [Fact]
    public void A_refused_export_gives_its_reason_code()
    {
        var refusal = new InstallStatus(T0, "offline export " + File, null, null, InstallResult.Refused, null, "wrong-device: the offline director document does not name atym-0001");
        var (verdict, _) = InstallAwaiter.Judge(new DeviceStatus { Installs = [refusal] }, File, inInbox: false);
        Assert.Equal(InstallVerdictKind.Refused, verdict!.Kind);
        Assert.Equal(refusal.Detail, verdict.Reason);
        Assert.Equal([refusal], verdict.Installs);
    }

    [Fact]
    public void One_refused_image_of_an_export_refuses_the_file_even_if_another_installed()
    {
        var bad = Installed("other", "2.0.0") with { Result = InstallResult.Failed, Detail = "write-failed: flash error" };
        var status = new DeviceStatus { Installs = [Installed(), bad], Trials = [Trial(TrialVerdict.Passed, T0.AddSeconds(1))], Containers = [Confirmed("1.0.0")] };
        var (verdict, _) = InstallAwaiter.Judge(status, File, inInbox: false);
        Assert.Equal((InstallVerdictKind.Refused, bad.Detail), (verdict!.Kind, verdict.Reason));
    }

    [Fact]
    public void An_installed_image_waits_for_a_trial_decided_after_its_install()
    {
        // A passed trial of the same version before this install (an earlier attempt) is not this install's verdict.
        var status = new DeviceStatus { Installs = [Installed()], Trials = [Trial(TrialVerdict.Passed, T0.AddSeconds(-1))], Containers = [Confirmed("1.0.0")] };
        var (verdict, waiting) = InstallAwaiter.Judge(status, File, inInbox: false);
        Assert.Null(verdict);
        Assert.Contains("undecided", waiting, StringComparison.Ordinal);
    }

    [Fact]
    public void A_passed_trial_counts_only_once_the_slot_is_published_confirmed()
    {
        var passed = new DeviceStatus { Installs = [Installed()], Trials = [Trial(TrialVerdict.Passed, T0.AddSeconds(3))], Containers = [Confirmed("0.9.0")] };
        Assert.Null(InstallAwaiter.Judge(passed, File, inInbox: false).Verdict);

        var (verdict, _) = InstallAwaiter.Judge(passed with { Containers = [Confirmed("1.0.0")] }, File, inInbox: false);
        Assert.Equal(InstallVerdictKind.Confirmed, verdict!.Kind);
        Assert.Equal($"{File}: confirmed sensor-filter 1.0.0", verdict.Reason);
    }

    [Fact]
    public void A_failed_trial_is_a_revert_with_the_trials_reason()
    {
        var status = new DeviceStatus { Installs = [Installed()], Trials = [Trial(TrialVerdict.Failed, T0.AddSeconds(3))] };
        var (verdict, _) = InstallAwaiter.Judge(status, File, inInbox: false);
        Assert.Equal(InstallVerdictKind.Reverted, verdict!.Kind);
        Assert.StartsWith(InstallVerdict.RevertedCode + ": sensor-filter 1.0.0", verdict.Reason);
        Assert.EndsWith("probe failed 3 times", verdict.Reason);
    }

    [Fact]
    public void An_up_to_date_export_is_confirmed_without_a_trial()
    {
        var upToDate = new InstallStatus(T0, "offline export " + File, null, null, InstallResult.Installed, null, StagedExportInstaller.UpToDateDetail);
        var (verdict, _) = InstallAwaiter.Judge(new DeviceStatus { Installs = [upToDate] }, File, inInbox: false);
        Assert.Equal((InstallVerdictKind.Confirmed, $"{File}: up to date"), (verdict!.Kind, verdict.Reason));
    }

    [Fact]
    public void A_plain_bundle_is_matched_by_its_own_name()
    {
        const string bundle = "20261204T220000-sensor-filter.bundle";
        var refused = new InstallStatus(T0, bundle, "sensor-filter", "1.0.0", InstallResult.Refused, null, "signature-invalid: no trusted key");
        Assert.Equal(InstallVerdictKind.Refused, InstallAwaiter.Judge(new DeviceStatus { Installs = [refused] }, bundle, inInbox: false).Verdict!.Kind);
    }

    [Theory]
    [InlineData("../status.json")]
    [InlineData("inbox/x.tar")]
    [InlineData("x.tar.tmp")]
    [InlineData(".hidden.tar")]
    [InlineData("")]
    public void A_name_that_is_no_inbox_file_is_refused(string name) =>
        Assert.ThrowsAny<ArgumentException>(() => InstallAwaiter.Judge(new DeviceStatus(), name, inInbox: false));

    [Fact]
    public async Task No_verdict_within_the_timeout_is_timed_out_with_what_was_awaited()
    {
        using var device = new Support.DeviceFixture("sensor-filter");
        var verdict = await InstallAwaiter.WaitAsync(device.Data, File, TimeSpan.Zero);
        Assert.Equal(InstallVerdictKind.TimedOut, verdict.Kind);
        Assert.StartsWith(InstallVerdict.TimedOutCode + ":", verdict.Reason);
        Assert.Contains("names no install", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_that_is_no_device_is_an_error_not_a_wait()
    {
        using var temp = TestSupport.TempFolder.Create("await-none");
        await Assert.ThrowsAsync<DeviceDataException>(() => InstallAwaiter.WaitAsync(temp.Path, File, TimeSpan.FromMinutes(1)));
    }
}
