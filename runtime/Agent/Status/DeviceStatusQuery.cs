namespace AtymSecure.DeviceAgent.Status;

/// <summary>
/// <c>atym device status</c>: a stopped device is powered on read-only, just far enough to read its slots from the
/// flash (no boot selection, nothing started, the flash file opened without write access, so its bytes and
/// modification time stay as they were); a running one is answered from the status.json the
/// running process keeps current.
/// </summary>
public static class DeviceStatusQuery
{
    /// <summary>What status says of a device in recovery.</summary>
    public const string RecoveryMessage =
        "the state log holds records of which none verifies (damaged flash or a replaced bootloader.key); nothing runs and every install is refused " +
        "until an operator re-provisions the device or installs a recovery bundle signed by a recovery key";

    public static DeviceStatus Read(string root)
    {
        var directory = new DeviceDirectory(root);
        if (!directory.IsInitialised) throw new DeviceDataException($"{directory.Root} is not a device (no device.json); run `atym device init` first");
        LocalDevice device;
        try
        {
            device = LocalDevice.Open(root, new LocalDeviceOptions { ReadOnly = true });
        }
        catch (DeviceBusyException)
        {
            var live = DeviceStatus.Load(directory, out var problem);
            return problem is null ? live : throw new DeviceDataException($"the device is running and its status.json is unreadable: {problem}");
        }
        using (device)
        {
            return device.Status.Current with
            {
                Running = null,
                Containers = [.. device.SlotStatus()],
                Recovery = device.Bootloader.InRecovery ? RecoveryMessage : null,
            };
        }
    }
}
