using AtymSecure.Primitives;
using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Runtime.Drivers;
using AtymSecure.Runtime.Logging;
using AtymSecure.Runtime.Messaging;

namespace AtymSecure.DeviceAgent.Tests.Support;

/// <summary>
/// The device services a <see cref="Trials.DeviceHost"/> runs on, as the device runner composes them (demo sensors,
/// GPIO, bus, file KV store), but on virtual time and with the KV store in a temp folder.
/// </summary>
internal sealed class VirtualDeviceServices : IDisposable
{
    private readonly TempFolder _folder = TempFolder.Create("device-host");
    private readonly FileKeyValueStoreProvider _kv;

    public VirtualDeviceServices()
    {
        _kv = new FileKeyValueStoreProvider(_folder.File("kv"));
        Services = new DeviceServices(Clock, Log, SimulatedSensorBank.Demo(Clock), new SimulatedGpioBank(), Bus, _kv);
    }

    public VirtualClock Clock { get; } = new();

    public MemoryLogSink Log { get; } = new();

    public MessageBus Bus { get; } = new();

    public DeviceServices Services { get; }

    public void Dispose()
    {
        _kv.Dispose();
        _folder.Dispose();
    }
}
