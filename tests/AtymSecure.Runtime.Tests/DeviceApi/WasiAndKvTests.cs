using AtymSecure.Formats.Container;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Logging;
using AtymSecure.Runtime.Tests.Support;

namespace AtymSecure.Runtime.Tests.DeviceApi;

[Collection(AtymSecure.Runtime.Tests.Isolation.ContainerProcessCollection.Name)]
public sealed class WasiAndKvTests : IDisposable
{
    private readonly TestDevice _device = new();

    // A WASI command: writes "hello <argv0> <env>\n" to stdout via fd_write, then proc_exit(3).
    private const string Command = """
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "environ_get" (func $env_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1 1)
          (data (i32.const 0) "hello ")
          (func $write (param $ptr i32) (param $len i32)
            (i32.store (i32.const 900) (local.get $ptr))
            (i32.store (i32.const 904) (local.get $len))
            (drop (call $fd_write (i32.const 1) (i32.const 900) (i32.const 1) (i32.const 908))))
          (func $strlen (param $p i32) (result i32) (local $n i32)
            (block $done (loop $l
              (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
              (local.set $n (i32.add (local.get $n) (i32.const 1))) (br $l)))
            (local.get $n))
          (func (export "_start")
            (drop (call $args_sizes (i32.const 100) (i32.const 104)))
            (drop (call $args_get (i32.const 200) (i32.const 300)))
            (drop (call $env_sizes (i32.const 108) (i32.const 112)))
            (drop (call $env_get (i32.const 400) (i32.const 500)))
            (call $write (i32.const 0) (i32.const 6))
            (call $write (i32.load (i32.const 200)) (call $strlen (i32.load (i32.const 200))))
            (call $write (i32.const 5) (i32.const 1))
            (call $write (i32.load (i32.const 400)) (call $strlen (i32.load (i32.const 400))))
            (i32.store8 (i32.const 950) (i32.const 10))
            (call $write (i32.const 950) (i32.const 1))
            (call $exit (i32.const 3))))
        """;

    // Counts its runs in the KV store ("runs" = u32), then traps so the restart policy runs it again.
    private const string Counter = """
        (module
          (import "atym" "kv_get" (func $get (param i32 i32 i32 i32) (result i32)))
          (import "atym" "kv_set" (func $set (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1 1)
          (data (i32.const 0) "runs")
          (func (export "atym_step") (result i32)
            (if (i32.ne (call $get (i32.const 0) (i32.const 4) (i32.const 16) (i32.const 4)) (i32.const 4))
              (then (i32.store (i32.const 16) (i32.const 0))))
            (i32.store (i32.const 16) (i32.add (i32.load (i32.const 16)) (i32.const 1)))
            (drop (call $set (i32.const 0) (i32.const 4) (i32.const 16) (i32.const 4)))
            unreachable))
        """;

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Wasi_command_gets_args_env_stdout_to_log_and_exit_code(ContainerIsolation mode)
    {
        using var runtime = _device.Runtime(mode);
        var config = TestSpecs.Config("cmd", entrypoint: "_start") with
        {
            Variables = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["MODE"] = "fast" },
        };
        var c = runtime.Start(TestSpecs.Spec(config, TestSpecs.Wat("cmd", Command), "log"));
        Wait.Until(() => c.IsFinished, "the command to exit");
        Assert.Equal(OutcomeKind.Exited, c.LastOutcome!.Kind);
        Assert.Equal(3, c.LastOutcome.ExitCode);
        Assert.Equal(ContainerRunState.Exited, c.State);
        var line = Assert.Single(_device.Log.For("cmd"), r => r.Source == "stdout");
        Assert.Equal("hello cmd MODE=fast", line.Message);
        Assert.Equal(LogLevel.Info, line.Level);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Kv_store_persists_across_restarts_and_device_reopen(ContainerIsolation mode)
    {
        var policy = new RestartPolicy { Mode = RestartMode.OnFailure, MaxRetries = 2, BackoffInitialMs = 10 };
        using (var runtime = _device.Runtime(mode))
        {
            var c = runtime.Start(TestSpecs.Spec(TestSpecs.Config("counter", restart: policy), TestSpecs.Wat("counter", Counter), "kv"));
            Wait.Until(() => c.IsFinished, "three runs");
            Assert.Equal(2, c.Restarts);
        }
        _device.Kv.Dispose();
        // A new store provider on the same directory: like the device after a power cycle.
        using var reopened = new AtymSecure.Runtime.DeviceApi.FileKeyValueStoreProvider(Path.Combine(_device.Directory, "kv"));
        var runs = reopened.For("counter").Get("runs"u8);
        Assert.NotNull(runs);
        Assert.Equal(3, BitConverter.ToInt32(runs));
    }

    public void Dispose() => _device.Dispose();
}
