using System.Text;
using AtymSecure.Runtime.Drivers;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Tests.Support;

namespace AtymSecure.Runtime.Tests.Samples;

/// <summary>The committed C samples, built with wasi-libc, run unchanged on the simulated device.</summary>
[Collection(AtymSecure.Runtime.Tests.Isolation.ContainerProcessCollection.Name)]
public sealed class SampleContainerTests : IDisposable
{
    private readonly TestDevice _device = new();

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public async Task Sensor_filter_publishes_smoothed_temperature(ContainerIsolation mode)
    {
        using var runtime = _device.Runtime(mode);
        using var sub = _device.Bus.Subscribe("test", "telemetry/temp");
        var filter = runtime.Start(SampleContainers.Load("sensor-filter"));
        Wait.Until(() => sub.Pending >= 3, "three telemetry messages");
        Assert.True(sub.TryReceive(out var first));
        var json = Encoding.UTF8.GetString(first.Payload);
        Assert.StartsWith("{\"v\":", json, StringComparison.Ordinal);
        Assert.Contains("\"ver\":\"1.0.0\"", json, StringComparison.Ordinal);
        Assert.Equal("sensor-filter", first.Publisher);
        Assert.Equal(ContainerRunState.Running, filter.State);
        var probe = await filter.Probe().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(probe.Passed, probe.Detail);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public async Task Anomaly_detector_reads_its_model_blob_and_passes_its_probe(ContainerIsolation mode)
    {
        using var runtime = _device.Runtime(mode);
        var detector = runtime.Start(SampleContainers.Load("anomaly-detector"));
        Wait.Until(() => detector.State == ContainerRunState.Running, "start");
        var probe = await detector.Probe().WaitAsync(TimeSpan.FromSeconds(30));
        // atym_health returns 0 only when the model blob was read and validated.
        Assert.True(probe.Passed, probe.Detail);
        Assert.DoesNotContain(_device.Log.For("anomaly-detector"), r => r.Message.Contains("model", StringComparison.Ordinal) && r.Level == AtymSecure.Runtime.Logging.LogLevel.Error);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Anomaly_detector_without_the_blob_grant_is_refused_at_link_time(ContainerIsolation mode)
    {
        using var runtime = _device.Runtime(mode);
        var spec = SampleContainers.Load("anomaly-detector", ["log", "sensor:vib0", "sensor:temp0", "publish:alerts/anomaly"]);
        var detector = runtime.Start(spec);
        Wait.Until(() => detector.IsFinished, "link failure");
        Assert.Equal(OutcomeKind.LinkFailed, detector.LastOutcome!.Kind);
        Assert.Contains("atym.blob_size requires permission 'blob:<name>'", detector.LastOutcome.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public async Task Faulty_sample_runs_but_its_probe_fails(ContainerIsolation mode)
    {
        using var runtime = _device.Runtime(mode);
        var faulty = runtime.Start(SampleContainers.Load("faulty"));
        Wait.Until(() => faulty.State == ContainerRunState.Running, "start");
        var probe = await faulty.Probe().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(probe.Passed);
        Assert.Contains("returned 7", probe.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Three_samples_side_by_side_and_the_filter_keeps_running_when_another_fails(ContainerIsolation mode)
    {
        using var runtime = _device.Runtime(mode);
        using var sub = _device.Bus.Subscribe("test", "telemetry/temp");
        var filter = runtime.Start(SampleContainers.Load("sensor-filter"));
        var detector = runtime.Start(SampleContainers.Load("anomaly-detector"));
        var crasher = runtime.Start(TestSpecs.Spec(TestSpecs.Config("crasher"), TestSpecs.Wat("crasher", "(module (memory (export \"memory\") 1 1) (func (export \"atym_step\") (result i32) unreachable))")));
        Wait.Until(() => crasher.IsFinished, "the crasher to fail");
        var before = sub.Delivered;
        Wait.Until(() => sub.Delivered > before + 2, "filter keeps publishing");
        Assert.Equal(ContainerRunState.Running, filter.State);
        Assert.Equal(ContainerRunState.Running, detector.State);
        Assert.Equal(ContainerRunState.Error, crasher.State);
    }

    public void Dispose() => _device.Dispose();
}
