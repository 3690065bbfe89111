using AtymSecure.Bootloader.Boot;
using AtymSecure.Bootloader.Layout;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.Runtime.Health;
using CsCheck;

namespace AtymSecure.DeviceAgent.Tests.Status;

/// <summary>status.json is read back by every command: bad content gets a specific error, never a crash.</summary>
public sealed class DeviceStatusTests
{
    [Fact]
    public void Status_keeps_the_last_fifty_trials_and_round_trips()
    {
        var status = new DeviceStatus { DeviceId = "d" };
        for (var i = 0; i < 60; i++) status = status.WithTrial(new TrialStatus(DateTimeOffset.UnixEpoch, "c", $"1.0.{i}", TrialVerdict.Passed, "ok", null));
        Assert.Equal(DeviceStatus.MaxHistory, status.Trials.Count);
        Assert.Equal("1.0.59", status.Trials[^1].Version);
        var back = DeviceStatus.Parse(status.ToJson());
        Assert.Equal(status.Trials, back.Trials);
    }

    [Fact]
    public void Damaged_status_files_only_ever_fail_with_DeviceDataException()
    {
        var valid = new DeviceStatus { DeviceId = "d", LastBoot = new BootStatus(DateTimeOffset.UnixEpoch, [new("c", BootOutcome.Trial, SlotId.A, "1.0.0")]) }.ToJson();
        Assert.Throws<DeviceDataException>(() => DeviceStatus.Parse("{\"format\":9}"u8));
        Assert.Throws<DeviceDataException>(() => DeviceStatus.Parse("nul"u8));
        Gen.Int[0, valid.Length].Select(Gen.Byte.Array[0, 4]).Sample((cut, junk) =>
        {
            try { DeviceStatus.Parse([.. valid.AsSpan(0, cut), .. junk]); }
            catch (DeviceDataException) { }
        }, iter: 2000);
    }

    [Fact]
    public void A_damaged_status_file_does_not_stop_the_device_it_starts_empty()
    {
        var dir = new DeviceDirectory(System.IO.Directory.CreateTempSubdirectory("atym-status-").FullName);
        try
        {
            File.WriteAllText(dir.StatusFile, "{ torn");
            var status = DeviceStatus.Load(dir, out var problem);
            Assert.Empty(status.Trials);
            Assert.Contains("damaged", problem, StringComparison.Ordinal);
        }
        finally
        {
            System.IO.Directory.Delete(dir.Root, recursive: true);
        }
    }

    [Theory]
    [InlineData("\"state\": \"confirmed\"", "\"state\": \"sleeping\"")]
    [InlineData("\"state\": \"confirmed\"", "\"state\": 4")]
    [InlineData("\"confirmedSlot\": \"a\"", "\"confirmedSlot\": \"c\"")]
    [InlineData("\"verdict\": \"passed\"", "\"verdict\": \"maybe\"")]
    [InlineData("\"result\": \"installed\"", "\"result\": \"queued\"")]
    public void A_value_no_version_ever_wrote_makes_the_file_damaged(string valid, string invalid)
    {
        var golden = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Status", "Golden", "status-v1-after-runs.json"));
        Assert.Contains(valid, golden, StringComparison.Ordinal);
        var e = Assert.Throws<DeviceDataException>(() => DeviceStatus.Parse(System.Text.Encoding.UTF8.GetBytes(golden.Replace(valid, invalid, StringComparison.Ordinal))));
        Assert.Contains("damaged", e.Message, StringComparison.Ordinal);
    }
}
