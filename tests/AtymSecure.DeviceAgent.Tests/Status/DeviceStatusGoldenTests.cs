using AtymSecure.Bootloader.Boot;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Health;
using AtymSecure.TestSupport;

namespace AtymSecure.DeviceAgent.Tests.Status;

/// <summary>
/// status.json (formats 1, 2 and 3) as committed bytes made by the code of the time and kept forever: one file from real
/// runs (installs, trials, a revert, a refusal), one with every value each state, slot, outcome, run state,
/// verdict and install result can take. Every later reader must read them to the same values and write the same bytes.
/// </summary>
public sealed class DeviceStatusGoldenTests
{
    private static byte[] Golden(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Status", "Golden", name));

    [Theory]
    [InlineData("status-v1-after-runs.json")]
    [InlineData("status-v1-every-value.json")]
    [InlineData("status-v1-recovery.json")]
    [InlineData("status-v2-after-runs.json")]
    [InlineData("status-v3-counter-store.json")]
    [InlineData("status-v3-takes.json")]
    [InlineData("status-v2-development.json")]
    public void Golden_status_files_read_and_write_back_byte_for_byte(string name)
    {
        var bytes = Golden(name);
        Assert.Equal(bytes, DeviceStatus.Parse(bytes).ToJson());
    }

    [Fact]
    public void Status_files_read_twice_are_equal_and_every_member_takes_part_in_equality()
    {
        var a = DeviceStatus.Parse(Golden("status-v1-after-runs.json"));
        var b = DeviceStatus.Parse(Golden("status-v1-after-runs.json"));
        Assert.NotSame(a.Containers, b.Containers);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        var every = DeviceStatus.Parse(Golden("status-v1-every-value.json"));
        var different = new DeviceStatus
        {
            Format = 2, DeviceId = "other", Profile = "other", DeviceClass = "other", Running = new RunningStatus(1, DateTimeOffset.UnixEpoch),
            Containers = [every.Containers[^1] with { Name = "other" }], LastBoot = new BootStatus(DateTimeOffset.MaxValue, []), Trials = [], Installs = [],
            Recovery = "other", RuntimeVersion = "9.9.9", Trust = "other", AwaitingWindow = [new WindowWaitStatus("other", "9.9.9", null)],
        };
        Assert.Empty(ValueEqualityProbe.PropertiesIgnoredByEquals(a, different));
        var container = a.Containers[0];
        Assert.Empty(ValueEqualityProbe.PropertiesIgnoredByEquals(container, new ContainerStatus("other", ContainerState.Empty, SlotId.None, SlotId.B, 99, 99,
            [container.Slots[0] with { Version = "other" }], null) { CounterStore = new CounterStoreStatus(1, 1, 256, false) }));
        Assert.Empty(ValueEqualityProbe.PropertiesIgnoredByEquals(a.LastBoot!, new BootStatus(DateTimeOffset.MaxValue, []) { Number = 1 }));
    }

    [Fact]
    public void Bundles_held_for_their_window_round_trip_and_a_status_without_any_writes_no_member()
    {
        var golden = Golden("status-v3-counter-store.json");
        var status = DeviceStatus.Parse(golden);
        Assert.Null(status.AwaitingWindow);
        Assert.True(golden.AsSpan().SequenceEqual(status.ToJson()));
        var opens = new DateTimeOffset(2026, 12, 5, 1, 0, 0, TimeSpan.Zero);
        var waiting = status with { AwaitingWindow = [new WindowWaitStatus("sensor-filter", "1.2.0", opens), new WindowWaitStatus("logger", "2.0.0", null)] };
        var read = DeviceStatus.Parse(waiting.ToJson());
        Assert.Equal(waiting, read);
        Assert.Equal("sensor-filter 1.2.0 downloaded, waiting for install window until 2026-12-05 01:00:00Z", read.AwaitingWindow![0].ToString());
        Assert.Contains("none ahead", read.AwaitingWindow[1].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_status_after_runs_reads_as_what_happened()
    {
        var status = DeviceStatus.Parse(Golden("status-v1-after-runs.json"));
        Assert.Null(status.Running);
        var sf = status.Containers.Single(c => c.Name == "sensor-filter");
        Assert.Equal((ContainerState.Reverted, SlotId.A, SlotId.None), (sf.State, sf.ConfirmedSlot, sf.TrialSlot));
        Assert.Equal("1.0.0", sf.VersionIn(SlotId.A));
        Assert.Equal(ContainerRunState.Stopped, sf.Runtime!.RunState);
        Assert.Equal([TrialVerdict.Passed, TrialVerdict.Passed, TrialVerdict.Failed], status.Trials.Select(t => t.Verdict).ToArray());
        Assert.Equal([InstallResult.Installed, InstallResult.Installed, InstallResult.Installed, InstallResult.Refused], status.Installs.Select(i => i.Result).ToArray());
        Assert.Equal([SlotId.A, SlotId.A, SlotId.B, null], status.Installs.Select(i => i.Slot).ToArray());
        Assert.Equal([BootOutcome.Trial, BootOutcome.Confirmed], status.LastBoot!.Results.Select(r => r.Outcome).ToArray());
    }

    [Fact]
    public void Every_value_of_every_field_reads_back()
    {
        var status = DeviceStatus.Parse(Golden("status-v1-every-value.json"));
        Assert.Equal(Enum.GetValues<ContainerState>(), status.Containers.Select(c => c.State).ToArray());
        Assert.Equal(Enum.GetValues<SlotId>(), status.Containers.Take(3).Select(c => c.ConfirmedSlot).ToArray());
        Assert.Equal(Enum.GetValues<ContainerRunState>(), status.Containers.Select(c => c.Runtime?.RunState).OfType<ContainerRunState>().ToArray());
        // Every outcome written before recovery existed; status-v1-recovery.json holds the recovery outcome.
        Assert.Equal(Enum.GetValues<BootOutcome>().Where(o => o != BootOutcome.Recovery), status.LastBoot!.Results.Select(r => r.Outcome).ToArray());
        Assert.Null(status.Recovery);
        Assert.Equal([TrialVerdict.Passed, TrialVerdict.Failed], status.Trials.Select(t => t.Verdict).ToArray());
        Assert.Equal(Enum.GetValues<InstallResult>(), status.Installs.Select(i => i.Result).ToArray());
    }

    [Fact]
    public void The_status_of_a_device_in_recovery_says_so_and_boots_nothing()
    {
        var status = DeviceStatus.Parse(Golden("status-v1-recovery.json"));
        // The golden keeps the wording of its day; since recovery bundles the message names that second way out too.
        const string Cause = "the state log holds records of which none verifies (damaged flash or a replaced bootloader.key); nothing runs and every install is refused until an operator re-provisions the device";
        Assert.Equal(Cause, status.Recovery);
        Assert.StartsWith(Cause, DeviceStatusQuery.RecoveryMessage, StringComparison.Ordinal);
        Assert.Equal(BootOutcome.Recovery, Assert.Single(status.LastBoot!.Results).Outcome);
    }

    [Fact]
    public void A_format_2_status_names_the_runtime_and_format_1_files_have_none()
    {
        Assert.Equal("0.3.0", DeviceStatus.Parse(Golden("status-v2-after-runs.json")).RuntimeVersion);
        var v1 = DeviceStatus.Parse(Golden("status-v1-after-runs.json"));
        Assert.Equal((1, null), (v1.Format, v1.RuntimeVersion));
        // The same runs, written by each format: everything but the format and the runtime version is equal.
        Assert.Equal(v1, DeviceStatus.Parse(Golden("status-v2-after-runs.json")) with { Format = 1, RuntimeVersion = null });
    }

    [Fact]
    public void A_development_device_says_so_and_files_of_before_say_nothing_of_trust()
    {
        Assert.Equal("development", DeviceStatus.Parse(Golden("status-v2-development.json")).Trust);
        Assert.Null(DeviceStatus.Parse(Golden("status-v2-after-runs.json")).Trust);
        Assert.Equal(DeviceStatus.Parse(Golden("status-v2-after-runs.json")), DeviceStatus.Parse(Golden("status-v2-development.json")) with { Trust = null });
    }

    [Theory]
    [InlineData("\"format\": 2", "\"format\": 1", "format 1 has no runtimeVersion")]
    [InlineData("\"runtimeVersion\": \"0.3.0\"", "\"runtimeVersion\": \"0.3\"", "runtimeVersion is not a SemVer version")]
    [InlineData("\"format\": 2", "\"format\": 4", "format 4 is not 1, 2 or 3")]
    public void A_runtime_version_that_does_not_fit_its_format_makes_the_file_refused(string valid, string invalid, string expected)
    {
        var golden = System.Text.Encoding.UTF8.GetString(Golden("status-v2-after-runs.json"));
        Assert.Contains(valid, golden, StringComparison.Ordinal);
        var e = Assert.Throws<DeviceDataException>(() => DeviceStatus.Parse(System.Text.Encoding.UTF8.GetBytes(golden.Replace(valid, invalid, StringComparison.Ordinal))));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_format_3_status_shows_each_containers_counter_store_and_which_is_used_up()
    {
        var status = DeviceStatus.Parse(Golden("status-v3-counter-store.json"));
        Assert.Equal(DeviceStatus.FormatVersion, status.Format);
        Assert.Equal(new CounterStoreStatus(16777216, 2, 256, false), status.Containers[0].CounterStore);
        Assert.Equal(new CounterStoreStatus(16777216, 256, 256, true), status.Containers[1].CounterStore);
        Assert.Equal("counter 16777216 (2/256 used)", status.Containers[0].CounterStore!.ToString());
        // The same runs as format 2 but for the format and the counter stores.
        Assert.Equal(DeviceStatus.Parse(Golden("status-v2-after-runs.json")),
            status with { Format = 2, Containers = [.. status.Containers.Select(c => c with { CounterStore = null })] });
    }

    [Theory]
    [InlineData("\"format\": 3", "\"format\": 2", "format 2 has no counterStore")]
    [InlineData("\"used\": 256", "\"used\": 257", "counterStore of 'anomaly-detector' is inconsistent")]
    [InlineData("\"exhausted\": true", "\"exhausted\": false", "counterStore of 'anomaly-detector' is inconsistent")]
    public void A_counter_store_that_does_not_fit_its_format_or_itself_makes_the_file_refused(string valid, string invalid, string expected)
    {
        var golden = System.Text.Encoding.UTF8.GetString(Golden("status-v3-counter-store.json"));
        Assert.Contains(valid, golden, StringComparison.Ordinal);
        var e = Assert.Throws<DeviceDataException>(() => DeviceStatus.Parse(System.Text.Encoding.UTF8.GetBytes(golden.Replace(valid, invalid, StringComparison.Ordinal))));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Install_lines_keep_their_take_numbers_and_a_take_below_one_is_damaged()
    {
        var text = System.Text.Encoding.UTF8.GetString(Golden("status-v3-takes.json"));
        var taken = DeviceStatus.Parse(Golden("status-v3-takes.json"));
        Assert.Equal([1, 2, 3, 4], taken.Installs.Select(i => i.Take));
        // The same file without them is the counter-store golden: an addition within format 3, left out when null.
        Assert.Equal(DeviceStatus.Parse(Golden("status-v3-counter-store.json")), taken with { Installs = [.. taken.Installs.Select(i => i with { Take = null })] });
        var e = Assert.Throws<DeviceDataException>(() => DeviceStatus.Parse(System.Text.Encoding.UTF8.GetBytes(text.Replace("\"take\": 2", "\"take\": 0", StringComparison.Ordinal))));
        Assert.Contains("takes are numbered from 1", e.Message, StringComparison.Ordinal);
    }
}
