namespace AtymSecure.DeviceAgent;

/// <summary>A device folder is missing, damaged or not a device (the message says which file and why).</summary>
public sealed class DeviceDataException : Exception
{
    public DeviceDataException() { }

    public DeviceDataException(string message) : base(message) { }

    public DeviceDataException(string message, Exception inner) : base(message, inner) { }
}
