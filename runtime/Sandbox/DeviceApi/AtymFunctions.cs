using System.Buffers.Binary;
using System.Text;
using AtymSecure.Formats.Container;
using AtymSecure.Runtime.Logging;
using AtymSecure.Runtime.Messaging;
using Wasmtime;

namespace AtymSecure.Runtime.DeviceApi;

/// <summary>
/// The <c>atym</c> host module (docs/device-api.md), one definition per <see cref="DeviceApi"/> entry.
/// Import-level grants are enforced by <see cref="ImportLinker"/>; here each call checks the concrete
/// sensor, pin, topic or blob against the grants and answers <c>-1</c> (denied) without trapping.
/// </summary>
internal static class AtymFunctions
{
    private const int Denied = -1;
    private const int TooSmall = -2;
    private const int MaxNameBytes = Capability.MaxNameLength;

    public static IReadOnlyDictionary<string, Action<Linker, ContainerContext>> Definitions { get; } =
        new Dictionary<string, Action<Linker, ContainerContext>>(StringComparer.Ordinal)
        {
            ["log"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "log", (Caller caller, int level, int ptr, int len) =>
            {
                // Read at most one line's worth of guest memory; the rest is only counted in the cut marker.
                var read = Math.Min(Math.Max(0, len), c.MaxLineBytes);
                var text = GuestMemory.Of(caller).Utf8(ptr, read, c.MaxLineBytes);
                c.GuestLog(level is >= 0 and <= 3 ? (LogLevel)level : LogLevel.Info, "log", text, Math.Max(0, len) - read);
            }),
            ["clock_ms"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "clock_ms", () =>
                (long)(c.Calls.Uptime - c.StartedAt).TotalMilliseconds),
            ["sleep_ms"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "sleep_ms", (int ms) => Sleep(c, TimeSpan.FromMilliseconds(Math.Max(0, ms)))),
            ["random_fill"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "random_fill", (Caller caller, int ptr, int len) =>
            {
                c.Calls.Random(GuestMemory.Of(caller).Span(ptr, len));
                return 0;
            }),
            ["var_get"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "var_get", (Caller caller, int namePtr, int nameLen, int buf, int cap) =>
            {
                var memory = GuestMemory.Of(caller);
                var name = memory.Utf8(namePtr, nameLen, 256);
                return c.Variables.TryGetValue(name, out var value) ? CopyOut(memory, Encoding.UTF8.GetBytes(value), buf, cap) : -1;
            }),
            ["sensor_read"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "sensor_read", (Caller caller, int namePtr, int nameLen, int outPtr) =>
            {
                var memory = GuestMemory.Of(caller);
                var name = memory.Utf8(namePtr, nameLen, MaxNameBytes);
                var code = c.Calls.SensorRead(name, out var value);
                if (code == 0) BinaryPrimitives.WriteDoubleLittleEndian(memory.Span(outPtr, 8), value);
                return code;
            }),
            ["gpio_read"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "gpio_read", (int pin) => c.Calls.GpioRead(pin)),
            ["gpio_write"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "gpio_write", (int pin, int value) => c.Calls.GpioWrite(pin, value)),
            ["kv_get"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "kv_get", (Caller caller, int keyPtr, int keyLen, int buf, int cap) =>
            {
                var memory = GuestMemory.Of(caller);
                if ((uint)keyLen > LocalDeviceCalls.MaxKeyBytes) return -1;
                var value = c.Calls.KvGet(memory.Span(keyPtr, keyLen));
                return value is null ? -1 : CopyOut(memory, value, buf, cap);
            }),
            ["kv_set"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "kv_set", (Caller caller, int keyPtr, int keyLen, int valPtr, int valLen) =>
            {
                var memory = GuestMemory.Of(caller);
                if ((uint)keyLen > LocalDeviceCalls.MaxKeyBytes || (uint)valLen > LocalDeviceCalls.MaxValueBytes) return -1;
                return c.Calls.KvSet(memory.Span(keyPtr, keyLen), memory.Span(valPtr, valLen));
            }),
            ["publish"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "publish", (Caller caller, int topicPtr, int topicLen, int payloadPtr, int payloadLen) =>
            {
                var memory = GuestMemory.Of(caller);
                var topic = memory.Utf8(topicPtr, topicLen, MessageBus.MaxTopicBytes);
                if ((uint)payloadLen > MessageBus.MaxPayloadBytes) return Denied;
                return c.Calls.Publish(topic, memory.Span(payloadPtr, payloadLen));
            }),
            ["subscribe"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "subscribe", (Caller caller, int filterPtr, int filterLen) =>
                c.Calls.Subscribe(GuestMemory.Of(caller).Utf8(filterPtr, filterLen, MessageBus.MaxTopicBytes))),
            ["receive"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "receive", (Caller caller, int topicBuf, int topicCap, int payloadBuf, int payloadCap) =>
                Receive(GuestMemory.Of(caller), c, topicBuf, topicCap, payloadBuf, payloadCap)),
            ["blob_size"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "blob_size", (Caller caller, int namePtr, int nameLen) =>
                c.Calls.BlobSize(GuestMemory.Of(caller).Utf8(namePtr, nameLen, MaxNameBytes))),
            ["blob_read"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "blob_read", (Caller caller, int namePtr, int nameLen, int offset, int buf, int len) =>
            {
                var memory = GuestMemory.Of(caller);
                var name = memory.Utf8(namePtr, nameLen, MaxNameBytes);
                var chunk = c.Calls.BlobRead(name, offset, len);
                if (chunk.Code <= 0) return chunk.Code;
                // The device answered at most len bytes; never trust that (a child's answer is only as good as its agent's).
                var count = Math.Min(Math.Min(chunk.Code, len), chunk.Bytes.Length);
                chunk.Bytes.Span[..count].CopyTo(memory.Span(buf, count));
                return count;
            }),
        };

    /// <summary>A scheduling point that waits: the guest gives up the CPU; stop requests end the wait.</summary>
    internal static void Sleep(ContainerContext c, TimeSpan delay)
    {
        c.SchedulingPoint();
        try
        {
            c.Calls.Sleep(delay, c.Stopping);
        }
        catch (OperationCanceledException)
        {
            throw new GuestUnwindException("container stopped while sleeping");
        }
        c.SchedulingPoint();
    }

    private static int CopyOut(GuestMemory memory, byte[] value, int buf, int cap)
    {
        if ((uint)cap < (uint)value.Length) return TooSmall;
        value.CopyTo(memory.Span(buf, value.Length));
        return value.Length;
    }

    /// <summary>Next message of any of the container's subscriptions; the topic is written NUL-terminated.</summary>
    private static int Receive(GuestMemory memory, ContainerContext c, int topicBuf, int topicCap, int payloadBuf, int payloadCap)
    {
        var m = c.Calls.Receive(topicCap, payloadCap);
        if (m.Code < 0) return m.Code;
        var topic = Encoding.UTF8.GetBytes(m.Topic);
        if ((uint)topicCap < (uint)topic.Length + 1 || (uint)payloadCap < (uint)m.Payload.Length) return TooSmall;
        topic.CopyTo(memory.Span(topicBuf, topic.Length));
        memory.Span(topicBuf + topic.Length, 1)[0] = 0;
        m.Payload.CopyTo(memory.Span(payloadBuf, m.Payload.Length));
        return m.Payload.Length;
    }
}
