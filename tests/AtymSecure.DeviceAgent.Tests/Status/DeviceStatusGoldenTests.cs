namespace AtymSecure.DeviceAgent.Tests.Status;

/// <summary>
/// status.json (format 1) as committed bytes made by the code of the time and kept forever: one file from real
/// runs (installs, trials, a revert, a refusal), one with every value each state, slot, outcome, run state,
/// verdict and install result can take. Every later reader must read them to the same values and write the same bytes.
/// </summary>
public sealed class DeviceStatusGoldenTests
{
    private static byte[] Golden(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Status", "Golden", name));

    [Theory]
    [InlineData("status-v1-after-runs.json")]
    [InlineData("status-v1-every-value.json")]
    public void Golden_status_files_read_and_write_back_byte_for_byte(string name)
    {
        var bytes = Golden(name);
        Assert.Equal(bytes, DeviceStatus.Parse(bytes).ToJson());
    }

    [Fact]
    public void The_status_after_runs_reads_as_what_happened()
    {
        var status = DeviceStatus.Parse(Golden("status-v1-after-runs.json"));
        Assert.Null(status.Running);
        var sf = status.Containers.Single(c => c.Name == "sensor-filter");
        Assert.Equal(("reverted", "a", "none"), (sf.State, sf.ConfirmedSlot, sf.TrialSlot));
        Assert.Equal("stopped", sf.Runtime!.RunState);
        Assert.Equal(["passed", "passed", "failed"], status.Trials.Select(t => t.Verdict).ToArray());
        Assert.Equal(["installed", "installed", "installed", "refused"], status.Installs.Select(i => i.Result).ToArray());
        Assert.Equal(["trial", "confirmed"], status.LastBoot!.Results.Select(r => r.Outcome).ToArray());
    }

    [Fact]
    public void Every_value_of_every_field_reads_back()
    {
        var status = DeviceStatus.Parse(Golden("status-v1-every-value.json"));
        Assert.Equal(["empty", "installing", "pending", "trialbooted", "confirmed", "reverted", "failed"], status.Containers.Select(c => c.State).ToArray());
        Assert.Equal(["none", "a", "b"], status.Containers.Take(3).Select(c => c.ConfirmedSlot).ToArray());
        Assert.Equal(["created", "running", "paused", "exited", "stopped", "error"], status.Containers.Select(c => c.Runtime?.RunState).OfType<string>().ToArray());
        Assert.Equal(["notinstalled", "confirmed", "trial", "reverted", "fellback", "failed"], status.LastBoot!.Results.Select(r => r.Outcome).ToArray());
        Assert.Equal(["passed", "failed"], status.Trials.Select(t => t.Verdict).ToArray());
        Assert.Equal(["installed", "refused", "failed"], status.Installs.Select(i => i.Result).ToArray());
    }
}
