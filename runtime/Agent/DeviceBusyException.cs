namespace AtymSecure.DeviceAgent;

/// <summary>Another process drives this device right now.</summary>
public sealed class DeviceBusyException : Exception
{
    public DeviceBusyException() : this("the device is in use by another process") { }

    public DeviceBusyException(string message) : base(message) { }

    public DeviceBusyException(string message, Exception inner) : base(message + ": " + inner.Message, inner) { }

    /// <param name="holderPid">The pid the holder recorded (device.pid), when it could be read.</param>
    public DeviceBusyException(string message, string? holderPid) : base(message) => HolderPid = holderPid;

    /// <summary>The pid of the process that drives the device, when known (for "queued for pid N" messages).</summary>
    public string? HolderPid { get; }
}
