using AtymSecure.Formats.Container;
using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Logging;
using AtymSecure.Runtime.Permissions;
using AtymSecure.Runtime.Tests.Support;

namespace AtymSecure.Runtime.Tests.DeviceApi;

[Collection(AtymSecure.Runtime.Tests.Isolation.ContainerProcessCollection.Name)]
public sealed class PermissionTests : IDisposable
{
    private readonly TestDevice _device = new();

    private const string SensorReader = """
        (module
          (import "atym" "sensor_read" (func $read (param i32 i32 i32) (result i32)))
          (import "atym" "gpio_write" (func $gpio (param i32 i32) (result i32)))
          (memory (export "memory") 1 1)
          (data (i32.const 0) "temp0humidity0")
          (global $r1 (export "r_temp") (mut i32) (i32.const 99))
          (global $r2 (export "r_hum") (mut i32) (i32.const 99))
          (global $r3 (export "r_gpio_ok") (mut i32) (i32.const 99))
          (global $r4 (export "r_gpio_denied") (mut i32) (i32.const 99))
          (func (export "atym_step") (result i32)
            (global.set $r1 (call $read (i32.const 0) (i32.const 5) (i32.const 64)))
            (global.set $r2 (call $read (i32.const 5) (i32.const 9) (i32.const 72)))
            (global.set $r3 (call $gpio (i32.const 4) (i32.const 1)))
            (global.set $r4 (call $gpio (i32.const 5) (i32.const 1)))
            (i32.const 1)))
        """;

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Missing_grant_fails_instantiation_naming_import_and_permission(ContainerIsolation mode)
    {
        using var runtime = _device.Runtime(mode);
        // The container's own config asks for the sensor, but the signed grants do not include it.
        var config = TestSpecs.Config("reader", permissions: [Capability.Parse("sensor:temp0"), Capability.Parse("gpio:4")]);
        var c = runtime.Start(TestSpecs.Spec(config, TestSpecs.Wat("reader", SensorReader), "gpio:4"));
        Wait.Until(() => c.IsFinished, "link failure");
        Assert.Equal(OutcomeKind.LinkFailed, c.LastOutcome!.Kind);
        Assert.Contains("atym.sensor_read", c.LastOutcome.Message, StringComparison.Ordinal);
        Assert.Contains("'sensor:<name>'", c.LastOutcome.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("gpio_write", c.LastOutcome.Message, StringComparison.Ordinal);
        Assert.Equal(ContainerRunState.Error, c.State);
        Assert.Equal(0, c.Restarts);
    }

    [Fact]
    public void Import_outside_the_device_API_is_refused_with_every_problem_listed()
    {
        var wat = """
            (module
              (import "env" "system" (func (param i32) (result i32)))
              (import "atym" "log" (func (param i64)))
              (import "atym" "kv_get" (func (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1 1))
            """;
        using var engine = new Wasmtime.Engine();
        using var module = Wasmtime.Module.FromText(engine, "m", wat);
        var problems = ImportLinker.Check(module, GrantedPermissions.Parse(["log"]));
        Assert.Equal(
            [
                (LinkProblemCodes.UnknownImport, "imports['env.system']"), (LinkProblemCodes.ImportSignature, "imports['atym.log']"),
                (LinkProblemCodes.ImportNotGranted, "imports['atym.kv_get']"),
            ],
            problems.Select(p => (p.Code, p.Path)));
        Assert.Contains("env.system is not part of the device API", problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("atym.log has signature", problems[1].Message, StringComparison.Ordinal);
        Assert.Contains("atym.kv_get requires permission 'kv'", problems[2].Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Granted_kind_links_but_each_call_checks_the_concrete_sensor_and_pin(ContainerIsolation mode)
    {
        using var runtime = _device.Runtime(mode);
        var c = runtime.Start(TestSpecs.Spec(TestSpecs.Config("reader"), TestSpecs.Wat("reader", SensorReader), "sensor:temp0", "gpio:4"));
        Wait.Until(() => c.IsFinished, "the single step");
        Assert.Equal(OutcomeKind.Exited, c.LastOutcome!.Kind);
        Assert.Equal(1, c.LastOutcome.ExitCode);
        Assert.Equal([(4, true)], _device.Gpio.Writes);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void A_call_the_grants_refuse_is_logged_once_per_capability_naming_it_and_the_grants(ContainerIsolation mode)
    {
        using var runtime = _device.Runtime(mode);
        // One step that tries humidity0 three times and pin 5 once: refused each time (-1), each capability named once with the grants.
        const string Repeated = """
            (module
              (import "atym" "sensor_read" (func $read (param i32 i32 i32) (result i32)))
              (import "atym" "gpio_write" (func $gpio (param i32 i32) (result i32)))
              (memory (export "memory") 1 1)
              (data (i32.const 0) "temp0humidity0")
              (func (export "atym_step") (result i32)
                (drop (call $read (i32.const 5) (i32.const 9) (i32.const 72)))
                (drop (call $read (i32.const 5) (i32.const 9) (i32.const 72)))
                (drop (call $read (i32.const 0) (i32.const 5) (i32.const 64)))
                (drop (call $gpio (i32.const 5) (i32.const 1)))
                (drop (call $read (i32.const 5) (i32.const 9) (i32.const 72)))
                (i32.const 1)))
            """;
        var c = runtime.Start(TestSpecs.Spec(TestSpecs.Config("reader"), TestSpecs.Wat("reader", Repeated), "sensor:temp0", "gpio:4"));
        Wait.Until(() => c.IsFinished, "the single step");

        var denials = _device.Log.Snapshot().Where(r => r.Source == "permission").ToList();
        Assert.Equal(["denied sensor:humidity0", "denied gpio:5"], denials.Select(r => r.Message[..r.Message.IndexOf(": not granted", StringComparison.Ordinal)]));
        Assert.All(denials, r => Assert.Equal((LogLevel.Warn, "reader"), (r.Level, r.Container)));
        Assert.All(denials, r => Assert.Contains("not granted to this container (grants: sensor:temp0, gpio:4)", r.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void The_runtime_implements_exactly_the_device_API_table()
    {
        var table = Formats.Container.DeviceApi.Functions.Select(f => (f.Module, f.Name)).Order().ToList();
        var implemented = ImportLinker.Implemented.Order().ToList();
        Assert.Equal(table, implemented);
    }

    [Fact]
    public void Subscribe_grants_cover_narrower_filters_only()
    {
        var grants = GrantedPermissions.Parse(["subscribe:telemetry/+", "publish:alerts/anomaly"]);
        Assert.True(grants.AllowsSubscribe("telemetry/temp"));
        Assert.True(grants.AllowsSubscribe("telemetry/+"));
        Assert.False(grants.AllowsSubscribe("telemetry/#"));
        Assert.False(grants.AllowsSubscribe("telemetry/temp/raw"));
        Assert.True(grants.AllowsPublish("alerts/anomaly"));
        Assert.False(grants.AllowsPublish("alerts/other"));
        Assert.False(grants.AllowsSensor("temp0"));
    }

    [Fact]
    public void Bad_grant_strings_are_all_reported()
    {
        var e = Assert.Throws<FormatException>(() => GrantedPermissions.Parse(["log", "sensor", "teleport:x", "gpio:01"]));
        Assert.Contains("'sensor'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'teleport:x'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'gpio:01'", e.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _device.Dispose();
}
