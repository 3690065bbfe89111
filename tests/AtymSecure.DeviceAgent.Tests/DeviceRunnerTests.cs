using AtymSecure.Bootloader.State;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.DeviceAgent.Updates;
using AtymSecure.Runtime.Health;

namespace AtymSecure.DeviceAgent.Tests;

/// <summary>The runner's seams: where updates come from, and whose clock it keeps.</summary>
public sealed class DeviceRunnerTests : IDisposable
{
    private static readonly DeviceRunOptions Settling = new() { UntilSettled = true, SettleQuiet = TimeSpan.FromMilliseconds(500) };

    private readonly DeviceFixture _device = new("sensor-filter", "anomaly-detector");

    public void Dispose() => _device.Dispose();

    [Fact]
    public void Updates_come_from_any_source_and_each_is_handed_back_with_its_result()
    {
        var source = new StagedSource(Path.Combine(_device.Root, "downloads"));
        source.Stage("sensor-filter@1.0.0", _device.Bundles.Full(TestBundles.Image("sensor-filter")));
        source.Stage("anomaly-detector@1.0.0", _device.Bundles.Full(TestBundles.Image("anomaly-detector")));
        var garbage = Path.Combine(_device.Root, "garbage.bundle");
        File.WriteAllBytes(garbage, new byte[300]);
        source.Stage("garbage", garbage);

        DeviceStatus status;
        using (var device = LocalDevice.Open(_device.Data))
            status = new DeviceRunner(device, source, Settling, _device.Log).Run(CancellationToken.None);

        Assert.Equal([("sensor-filter@1.0.0", InstallResult.Installed), ("anomaly-detector@1.0.0", InstallResult.Installed), ("garbage", InstallResult.Refused)],
            source.Results.Select(f => (f.Update.Name, f.Result.Result)).ToArray());
        Assert.Empty(source.Ready());
        // The status names each install as the source named it.
        Assert.Equal(["sensor-filter@1.0.0", "anomaly-detector@1.0.0", "garbage"], status.Installs.Select(i => i.Bundle).ToArray());
        Assert.Equal([TrialVerdict.Passed, TrialVerdict.Passed], status.Trials.Select(t => t.Verdict).ToArray());
        Assert.All(status.Containers, c => Assert.Equal(ContainerState.Confirmed, c.State));
    }

    [Fact]
    public async Task The_device_clock_stamps_installs_boots_trials_and_the_running_process_and_decides_bundle_expiry()
    {
        // Bundles from TestBundles expire a day after they are cut.
        var lateClock = new ShiftedClock(TimeSpan.FromDays(2));
        var expired = _device.Install(Bundle("sensor-filter"), new LocalDeviceOptions { Clock = lateClock });
        Assert.Equal(InstallResult.Refused, expired.Result);
        Assert.Contains("expired", expired.Detail, StringComparison.OrdinalIgnoreCase);
        AssertAround(expired.At, lateClock.Shift);

        var earlyClock = new ShiftedClock(TimeSpan.FromDays(-30));
        var options = new LocalDeviceOptions { Clock = earlyClock };
        var installed = _device.Install(Bundle("sensor-filter"), options);
        Assert.Equal(InstallResult.Installed, installed.Result);
        AssertAround(installed.At, earlyClock.Shift);

        var running = Task.Run(() => DeviceRunner.PowerOn(_device.Data, options, Settling, _device.Log, CancellationToken.None));
        Wait.Until(() => DeviceStatus.Load(new DeviceDirectory(_device.Data), out _).Running is not null, "the device to run");
        AssertAround(DeviceStatus.Load(new DeviceDirectory(_device.Data), out _).Running!.Since, earlyClock.Shift);
        var status = await running;

        AssertAround(status.LastBoot!.At, earlyClock.Shift);
        AssertAround(Assert.Single(status.Trials).At, earlyClock.Shift);
    }

    private string Bundle(string sample) => _device.Bundles.Full(TestBundles.Image(sample));

    /// <summary>Within a generous bound of now + <paramref name="shift"/> (real time runs underneath the shift).</summary>
    private static void AssertAround(DateTimeOffset at, TimeSpan shift)
    {
        var expected = DateTimeOffset.UtcNow + shift;
        Assert.InRange(at, expected - TimeSpan.FromMinutes(5), expected + TimeSpan.FromMinutes(5));
    }

    /// <summary>Real time, with the wall clock moved by <see cref="Shift"/>: a device whose clock is off.</summary>
    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public TimeSpan Shift => shift;

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }

    /// <summary>A source that downloads like the coming HTTP one: into a partial file, listed only once complete.</summary>
    private sealed class StagedSource(string directory) : IUpdateSource
    {
        private readonly List<StagedUpdate> _ready = [];

        public List<(StagedUpdate Update, InstallStatus Result)> Results { get; } = [];

        public void Stage(string name, string bundle)
        {
            var file = Path.Combine(directory, $"{_ready.Count}.bundle");
            var partial = file + ".part";
            Directory.CreateDirectory(directory);
            File.Copy(bundle, partial);
            Primitives.AtomicFile.MoveIntoPlace(partial, file, Primitives.AtomicWriteMode.CreateNew);
            _ready.Add(new StagedUpdate(name, file));
        }

        public IReadOnlyList<StagedUpdate> Ready() => [.. _ready];

        public void Finished(StagedUpdate update, InstallStatus result)
        {
            _ready.Remove(update);
            Results.Add((update, result));
        }
    }
}
