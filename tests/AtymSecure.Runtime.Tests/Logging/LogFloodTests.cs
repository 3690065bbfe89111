using AtymSecure.Engines;
using AtymSecure.Formats.Container;
using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Logging;
using AtymSecure.Runtime.Tests.Support;

namespace AtymSecure.Runtime.Tests.Logging;

/// <summary>
/// A container that floods its log — 2000-byte lines through the device API and through WASI stdout, 40 per slice —
/// against the real engine, logging into a rotated device log: the bytes on disk stay within N × M, the log rotated,
/// the lines were cut with a marker and the dropped lines were reported (on the container's virtual timeline).
/// </summary>
public sealed class LogFloodTests : IDisposable
{
    private const int Files = 4;
    private const long FileBytes = 8192;
    private readonly TestDevice _device = new();
    private readonly TempFolder _folder = TempFolder.Create("log-flood");

    public void Dispose()
    {
        _folder.Dispose();
        _device.Dispose();
    }

    // Each slice: 20 × atym.log(info, 2000 'x') and 20 × fd_write(stdout, 2000 'y' + '\n').
    private const string Flooder = """
        (module
          (import "atym" "log" (func $log (param i32 i32 i32)))
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1 1)
          (func (export "atym_step") (result i32) (local $i i32)
            (memory.fill (i32.const 0) (i32.const 120) (i32.const 2000))
            (memory.fill (i32.const 4096) (i32.const 121) (i32.const 2000))
            (i32.store8 (i32.const 6096) (i32.const 10))
            (i32.store (i32.const 8192) (i32.const 4096))
            (i32.store (i32.const 8196) (i32.const 2001))
            (loop $l
              (call $log (i32.const 1) (i32.const 0) (i32.const 2000))
              (drop (call $fd_write (i32.const 1) (i32.const 8192) (i32.const 1) (i32.const 8200)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (i32.const 20))))
            (i32.const 0)))
        """;

    [Fact]
    public void A_log_flood_through_the_device_api_and_wasi_stdout_is_capped_on_disk()
    {
        var path = Path.Combine(_folder.Path, "device.log");
        var memory = new MemoryLogSink();
        using var file = new RotatingFileLogSink(path, Files, FileBytes);
        var services = new DeviceServices(_device.Clock, new TeeLogSink(memory, file), _device.Sensors, _device.Gpio, _device.Bus, _device.Kv)
        {
            LogLimits = new LogLimits { LinesPerSecond = 50, Burst = 20, MaxLineBytes = 256, DropReportInterval = TimeSpan.FromSeconds(1) },
        };
        using (var runtime = new ContainerRuntime(EngineProfile.HostWasm(), services))
        {
            var config = TestSpecs.Config("flooder", resources: new ResourceLimits { MaxMemoryBytes = 65536, CpuBudgetMs = 5, SliceIntervalMs = 100 });
            var flooder = runtime.Start(TestSpecs.Spec(config, TestSpecs.Wat("flooder", Flooder), "log"));
            Wait.Until(() => memory.For("flooder").Count(r => r.Source == LogRateLimiter.ReportSource) >= 3 && file.Rotations >= 3,
                "three drop reports and three rotations");
            Assert.Equal(ContainerRunState.Running, flooder.State);
            runtime.StopAll(TimeSpan.FromSeconds(10));
        }

        var onDisk = Directory.GetFiles(_folder.Path);
        Assert.Equal(Files, onDisk.Length);
        Assert.InRange(onDisk.Sum(f => new FileInfo(f).Length), 1, Files * FileBytes);
        var lines = memory.For("flooder");
        var cut = $"…[truncated {2000 - 256} bytes]";
        Assert.Contains(lines, r => r.Source == "log" && r.Message == new string('x', 256) + cut);
        Assert.Contains(lines, r => r.Source == "stdout" && r.Message == new string('y', 256) + cut);
        // Far fewer lines than offered got through: each one-second interval passes ~50 plus one report.
        var report = lines.Last(r => r.Source == LogRateLimiter.ReportSource);
        Assert.Matches(@"^dropped \d+ log lines over the rate limit of 50 lines/s \(burst 20\); \d+ dropped since start$", report.Message);
        // The report may sit in a rotated file: device.log can have been rotated right after it was written.
        Assert.Contains("(log-limit): dropped ", string.Concat(onDisk.Select(File.ReadAllText)), StringComparison.Ordinal);
    }

    // A _start command: 40 lines through the device API, then returns (no sleep, so no time passes on its timeline).
    private const string Burst = """
        (module
          (import "atym" "log" (func $log (param i32 i32 i32)))
          (memory (export "memory") 1 1)
          (data (i32.const 0) "hello")
          (func (export "_start") (local $i i32)
            (loop $l
              (call $log (i32.const 1) (i32.const 0) (i32.const 5))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (i32.const 40))))))
        """;

    [Fact]
    public void The_config_log_rate_overrides_the_device_default_and_the_drops_are_reported_when_the_run_ends()
    {
        using var runtime = _device.Runtime();
        var config = TestSpecs.Config("burst", entrypoint: "_start") with { Resources = new ResourceLimits { LogLinesPerSecond = 5 } };
        var burst = runtime.Start(TestSpecs.Spec(config, TestSpecs.Wat("burst", Burst), "log"));
        Wait.Until(() => burst.IsFinished, "the command to return");
        var lines = _device.Log.For("burst");
        Assert.Equal(10, lines.Count(r => r.Source == "log" && r.Message == "hello")); // a burst of twice the rate
        var report = Assert.Single(lines, r => r.Source == LogRateLimiter.ReportSource);
        Assert.Equal("dropped 30 log lines over the rate limit of 5 lines/s (burst 10); 30 dropped since start", report.Message);
    }
}
