namespace AtymSecure.DeviceAgent;

/// <summary>
/// The one process that drives a device holds this: an exclusive, non-blocking OS lock on
/// device.lock (released by the OS when the process dies, so a kill never leaves it stale).
/// The holder's pid goes to device.pid for messages (.NET's lock also refuses readers of the lock file).
/// Held by <see cref="LocalDevice"/> for as long as it is open; nothing else takes it.
/// </summary>
internal sealed class DeviceLock : IDisposable
{
    private readonly FileStream _stream;

    private DeviceLock(FileStream stream) => _stream = stream;

    /// <exception cref="DeviceBusyException">Another live process holds the device.</exception>
    public static DeviceLock Acquire(DeviceDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (TryAcquire(directory) is { } held) return held;
        var pid = HolderPid(directory);
        throw new DeviceBusyException($"device {directory.Root} is in use by another process (pid {pid ?? "unknown"})", pid);
    }

    public static DeviceLock? TryAcquire(DeviceDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        FileStream stream;
        try
        {
            stream = new FileStream(directory.LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
        File.WriteAllText(directory.PidFile, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new DeviceLock(stream);
    }

    public static string? HolderPid(DeviceDirectory directory)
    {
        try
        {
            return File.ReadAllText(directory.PidFile).Trim() is { Length: > 0 and < 16 } pid ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Dispose() => _stream.Dispose();
}
