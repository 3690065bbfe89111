using AtymSecure.DeviceAgent.Status;

namespace AtymSecure.DeviceAgent.Updates;

/// <summary>What <see cref="BundleFileInstaller.InstallOrQueue"/> did with a bundle.</summary>
public abstract record InstallAttempt
{
    private InstallAttempt()
    {
    }

    /// <summary>The device was not running: the bundle went through the installer now (installed, refused or failed).</summary>
    public sealed record Completed(InstallStatus Install) : InstallAttempt;

    /// <summary>The device is running (pid <paramref name="DevicePid"/>, when known): the bundle waits in its inbox for that process.</summary>
    public sealed record Queued(string QueuedFile, string? DevicePid) : InstallAttempt;
}
