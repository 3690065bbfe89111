using System.Buffers.Binary;
using System.Text;
using AtymSecure.Formats.Container;
using AtymSecure.Primitives;
using AtymSecure.Runtime.Logging;
using AtymSecure.Runtime.Messaging;
using AtymSecure.Runtime.Permissions;
using AtymSecure.Runtime.Storage;
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
    private const int Unavailable = -2;
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
                (long)(c.Services.Uptime - c.StartedAt).TotalMilliseconds),
            ["sleep_ms"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "sleep_ms", (int ms) => Sleep(c, TimeSpan.FromMilliseconds(Math.Max(0, ms)))),
            ["random_fill"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "random_fill", (Caller caller, int ptr, int len) =>
            {
                c.Services.Random(GuestMemory.Of(caller).Span(ptr, len));
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
                if (!c.Grants.AllowsSensor(name)) return Denied;
                if (!c.Services.Sensors.TryRead(name, out var value)) return Unavailable;
                BinaryPrimitives.WriteDoubleLittleEndian(memory.Span(outPtr, 8), value);
                return 0;
            }),
            ["gpio_read"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "gpio_read", (int pin) =>
                c.Grants.AllowsGpio(pin) && pin < c.Services.Gpio.PinCount ? (c.Services.Gpio.Read(pin) ? 1 : 0) : Denied),
            ["gpio_write"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "gpio_write", (int pin, int value) =>
            {
                if (!c.Grants.AllowsGpio(pin) || pin >= c.Services.Gpio.PinCount) return Denied;
                c.Services.Gpio.Write(pin, value != 0);
                return 0;
            }),
            ["kv_get"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "kv_get", (Caller caller, int keyPtr, int keyLen, int buf, int cap) =>
            {
                var memory = GuestMemory.Of(caller);
                if ((uint)keyLen > 256) return -1;
                var value = c.Kv.Get(memory.Span(keyPtr, keyLen));
                return value is null ? -1 : CopyOut(memory, value, buf, cap);
            }),
            ["kv_set"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "kv_set", (Caller caller, int keyPtr, int keyLen, int valPtr, int valLen) =>
            {
                var memory = GuestMemory.Of(caller);
                if ((uint)keyLen > 256 || (uint)valLen > 1024 * 1024) return -1;
                try
                {
                    c.Kv.Set(memory.Span(keyPtr, keyLen), memory.Span(valPtr, valLen));
                    return 0;
                }
                catch (KvQuotaException e)
                {
                    c.Log(LogLevel.Warn, "kv", e.Message);
                    return -1;
                }
            }),
            ["publish"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "publish", (Caller caller, int topicPtr, int topicLen, int payloadPtr, int payloadLen) =>
            {
                var memory = GuestMemory.Of(caller);
                var topic = memory.Utf8(topicPtr, topicLen, MessageBus.MaxTopicBytes);
                if (!c.Grants.AllowsPublish(topic) || (uint)payloadLen > MessageBus.MaxPayloadBytes) return Denied;
                c.Services.Bus.Publish(new BusMessage(topic, memory.Span(payloadPtr, payloadLen).ToArray(), c.Name, c.Services.Uptime));
                return 0;
            }),
            ["subscribe"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "subscribe", (Caller caller, int filterPtr, int filterLen) =>
            {
                var filter = GuestMemory.Of(caller).Utf8(filterPtr, filterLen, MessageBus.MaxTopicBytes);
                if (!c.Grants.AllowsSubscribe(filter) || c.Subscriptions.Count >= 16) return Denied;
                if (c.Subscriptions.All(s => s.Filter != filter)) c.AddSubscription(c.Services.Bus.Subscribe(c.Name, filter));
                return 0;
            }),
            ["receive"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "receive", (Caller caller, int topicBuf, int topicCap, int payloadBuf, int payloadCap) =>
                Receive(GuestMemory.Of(caller), c, topicBuf, topicCap, payloadBuf, payloadCap)),
            ["blob_size"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "blob_size", (Caller caller, int namePtr, int nameLen) =>
            {
                var name = GuestMemory.Of(caller).Utf8(namePtr, nameLen, MaxNameBytes);
                return c.Grants.AllowsBlob(name) && c.Blobs.TryGet(name, out var blob) ? blob.Length : Denied;
            }),
            ["blob_read"] = (l, c) => l.DefineFunction(Formats.Container.DeviceApi.AtymModule, "blob_read", (Caller caller, int namePtr, int nameLen, int offset, int buf, int len) =>
            {
                var memory = GuestMemory.Of(caller);
                var name = memory.Utf8(namePtr, nameLen, MaxNameBytes);
                if (!c.Grants.AllowsBlob(name) || !c.Blobs.TryGet(name, out var blob) || offset < 0 || len < 0) return Denied;
                if (offset >= blob.Length) return 0;
                var count = Math.Min(len, blob.Length - offset);
                blob.Span.Slice(offset, count).CopyTo(memory.Span(buf, count));
                return count;
            }),
        };

    /// <summary>A scheduling point that waits: the guest gives up the CPU; stop requests end the wait.</summary>
    internal static void Sleep(ContainerContext c, TimeSpan delay)
    {
        c.SchedulingPoint();
        try
        {
            c.Services.Clock.Sleep(delay, c.Stopping);
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
        foreach (var s in c.Subscriptions)
        {
            if (!s.TryPeek(out var m)) continue;
            var topic = Encoding.UTF8.GetBytes(m.Topic);
            if ((uint)topicCap < (uint)topic.Length + 1 || (uint)payloadCap < (uint)m.Payload.Length) return TooSmall;
            s.TryReceive(out _);
            topic.CopyTo(memory.Span(topicBuf, topic.Length));
            memory.Span(topicBuf + topic.Length, 1)[0] = 0;
            m.Payload.CopyTo(memory.Span(payloadBuf, m.Payload.Length));
            return m.Payload.Length;
        }
        return -1;
    }
}
