using System.Buffers.Binary;
using System.Text;
using AtymSecure.Formats.Container;
using AtymSecure.Primitives;
using AtymSecure.Runtime.Blobs;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Messaging;
using AtymSecure.Runtime.Permissions;
using AtymSecure.Runtime.Tests.Support;

namespace AtymSecure.Runtime.Tests.DeviceApi;

/// <summary>
/// Every call of the <c>atym</c> module in one container, run in-process and in a container process: subscribe and
/// receive (a message from the device), gpio_read, var_get, blob_size/blob_read, kv_set/kv_get, sensor_read,
/// clock_ms, random_fill, log and publish. The container publishes what each call returned; the assertions are the
/// same in both modes.
/// </summary>
[Collection(AtymSecure.Runtime.Tests.Isolation.ContainerProcessCollection.Name)]
public sealed class DeviceApiAcrossModesTests : IDisposable
{
    private readonly TestDevice _device = new();

    // Memory: 0 names, 256 topic buffer, 512 payload buffer, 1024 value buffer, 2048 the result record.
    private const string Tour = """
        (module
          (import "atym" "subscribe" (func $subscribe (param i32 i32) (result i32)))
          (import "atym" "receive" (func $receive (param i32 i32 i32 i32) (result i32)))
          (import "atym" "publish" (func $publish (param i32 i32 i32 i32) (result i32)))
          (import "atym" "gpio_read" (func $gpio_read (param i32) (result i32)))
          (import "atym" "var_get" (func $var_get (param i32 i32 i32 i32) (result i32)))
          (import "atym" "blob_size" (func $blob_size (param i32 i32) (result i32)))
          (import "atym" "blob_read" (func $blob_read (param i32 i32 i32 i32 i32) (result i32)))
          (import "atym" "kv_set" (func $kv_set (param i32 i32 i32 i32) (result i32)))
          (import "atym" "kv_get" (func $kv_get (param i32 i32 i32 i32) (result i32)))
          (import "atym" "sensor_read" (func $sensor_read (param i32 i32 i32) (result i32)))
          (import "atym" "clock_ms" (func $clock_ms (result i64)))
          (import "atym" "random_fill" (func $random_fill (param i32 i32) (result i32)))
          (import "atym" "log" (func $log (param i32 i32 i32)))
          (memory (export "memory") 1 1)
          (data (i32.const 0) "cmd/#")
          (data (i32.const 8) "tour/ready")
          (data (i32.const 24) "tour/result")
          (data (i32.const 40) "MODE")
          (data (i32.const 48) "model")
          (data (i32.const 56) "key")
          (data (i32.const 64) "temp0")
          (data (i32.const 72) "tour done")
          (global $subscribed (mut i32) (i32.const 0))
          (func (export "atym_step") (result i32) (local $n i32)
            (if (i32.eqz (global.get $subscribed)) (then
              (global.set $subscribed (i32.const 1))
              (i32.store (i32.const 2048) (call $subscribe (i32.const 0) (i32.const 5)))
              (drop (call $publish (i32.const 8) (i32.const 10) (i32.const 2048) (i32.const 4)))
              (return (i32.const 0))))
            (local.set $n (call $receive (i32.const 256) (i32.const 64) (i32.const 512) (i32.const 64)))
            (if (i32.lt_s (local.get $n) (i32.const 0)) (then (return (i32.const 0))))
            (i32.store (i32.const 2048) (local.get $n))
            (i32.store (i32.const 2052) (call $gpio_read (i32.const 2)))
            (i32.store (i32.const 2056) (call $var_get (i32.const 40) (i32.const 4) (i32.const 1024) (i32.const 64)))
            (i32.store (i32.const 2060) (call $blob_size (i32.const 48) (i32.const 5)))
            (i32.store (i32.const 2064) (call $blob_read (i32.const 48) (i32.const 5) (i32.const 2) (i32.const 1100) (i32.const 3)))
            (i32.store (i32.const 2068) (i32.load (i32.const 1100)))
            (i32.store (i32.const 2072) (call $kv_set (i32.const 56) (i32.const 3) (i32.const 512) (local.get $n)))
            (i32.store (i32.const 2076) (call $kv_get (i32.const 56) (i32.const 3) (i32.const 1200) (i32.const 64)))
            (i32.store (i32.const 2080) (call $sensor_read (i32.const 64) (i32.const 5) (i32.const 2088)))
            (i64.store (i32.const 2096) (call $clock_ms))
            (i32.store (i32.const 2104) (call $random_fill (i32.const 2108) (i32.const 4)))
            (i32.store (i32.const 2112) (i32.load (i32.const 1024)))
            (i32.store (i32.const 2116) (i32.load (i32.const 1200)))
            (i32.store (i32.const 2120) (call $sensor_read (i32.const 56) (i32.const 3) (i32.const 2088)))
            (call $log (i32.const 1) (i32.const 72) (i32.const 9))
            (drop (call $publish (i32.const 24) (i32.const 11) (i32.const 2048) (i32.const 76)))
            (i32.const 1)))
        """;

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Every_device_API_call_answers_the_same_in_both_modes(ContainerIsolation mode)
    {
        var model = "\u0001\u0002ABCDEF"u8.ToArray();
        var blobs = BlobSet.Verify([new BlobReference("model", "application/octet-stream", Digest.Compute(model).ToString(), model.Length)], _ => model);
        var config = TestSpecs.Config("tour", resources: new ResourceLimits { MaxMemoryBytes = 131072, CpuBudgetMs = 20, SliceIntervalMs = 5 }) with
        {
            Variables = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["MODE"] = "fast" },
        };
        var spec = new ContainerSpec(config, TestSpecs.Wat("tour", Tour),
            GrantedPermissions.Parse(["subscribe:cmd/#", "publish:tour/ready", "publish:tour/result", "gpio:2", "blob:model", "kv", "sensor:temp0", "log", "clock", "random"]), blobs);
        using var results = _device.Bus.Subscribe("test", "tour/#");
        _device.Gpio.SetInput(2, true);
        using var runtime = _device.Runtime(mode);
        var tour = runtime.Start(spec);

        Wait.Until(() => results.Pending > 0 || tour.IsFinished, "the container's ready message");
        Assert.True(results.TryReceive(out var ready), $"no ready message: {tour.LastOutcome}");
        Assert.Equal("tour/ready", ready.Topic);
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(ready.Payload));
        Assert.Equal(1, _device.Bus.Publish(new BusMessage("cmd/go", "ping"u8.ToArray(), "device", TimeSpan.Zero)));
        Wait.Until(() => tour.IsFinished, "the tour to finish");
        Assert.True(tour.LastOutcome!.Kind == OutcomeKind.Exited && tour.LastOutcome.ExitCode == 1, tour.LastOutcome.ToString());

        Assert.True(results.TryReceive(out var result));
        Assert.Equal("tour/result", result.Topic);
        Assert.Equal("tour", result.Publisher);
        var r = result.Payload;
        int I(int at) => BinaryPrimitives.ReadInt32LittleEndian(r.AsSpan(at - 2048));
        Assert.Equal(4, I(2048));                                  // receive: "ping"
        Assert.Equal(1, I(2052));                                  // gpio_read(2): the input set high
        Assert.Equal(4, I(2056));                                  // var_get MODE: "fast"
        Assert.Equal("fast", Encoding.ASCII.GetString(r.AsSpan(2112 - 2048, 4)));
        Assert.Equal(model.Length, I(2060));                       // blob_size
        Assert.Equal(3, I(2064));                                  // blob_read 3 bytes from offset 2
        Assert.Equal("ABC", Encoding.ASCII.GetString(r.AsSpan(2068 - 2048, 3)));
        Assert.Equal(0, I(2072));                                  // kv_set
        Assert.Equal(4, I(2076));                                  // kv_get: the received payload back
        Assert.Equal("ping", Encoding.ASCII.GetString(r.AsSpan(2116 - 2048, 4)));
        Assert.Equal(0, I(2080));                                  // sensor_read temp0
        Assert.InRange(BinaryPrimitives.ReadDoubleLittleEndian(r.AsSpan(2088 - 2048)), -100, 100);
        Assert.True(BinaryPrimitives.ReadInt64LittleEndian(r.AsSpan(2096 - 2048)) >= 0);
        Assert.Equal(0, I(2104));                                  // random_fill
        Assert.Equal(-1, I(2120));                                 // sensor_read of an ungranted name: denied
        Assert.Equal("ping"u8.ToArray(), _device.Kv.For("tour").Get("key"u8));
        Assert.Contains(_device.Log.For("tour"), l => l.Source == "log" && l.Message == "tour done");
    }

    public void Dispose() => _device.Dispose();
}
