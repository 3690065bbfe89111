namespace AtymSecure.DeviceAgent;

/// <summary>
/// The files of one simulated device (docs/device-cli.md): what a real device keeps in flash, secure
/// storage and RAM, laid out in a folder so a process can be killed and started again on it.
/// </summary>
public sealed class DeviceDirectory
{
    public DeviceDirectory(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    /// <summary>Identity and layout (device.json): written once by <c>device init</c>.</summary>
    public string IdentityFile => Path.Combine(Root, "device.json");

    /// <summary>The NOR flash part, one file; every program/erase lands in it immediately.</summary>
    public string FlashFile => Path.Combine(Root, "flash.img");

    /// <summary>The bootloader's MAC key (on hardware: a key slot the application cannot read).</summary>
    public string BootKeyFile => Path.Combine(Root, "bootloader.key");

    /// <summary>The device identity key pair (ECDSA P-256, PKCS#8 PEM) used to authenticate to a server.</summary>
    public string IdentityKeyFile => Path.Combine(Root, "identity.key");

    public string IdentityPublicKeyFile => Path.Combine(Root, "identity.pub");

    /// <summary>Public keys whose bundle signatures this device accepts (one PEM file each), and their scopes in trust.json.</summary>
    public string TrustedKeysDirectory => Path.Combine(Root, "trusted");

    /// <summary>The role and container pattern of each trusted key (trusted/trust.json, <see cref="Provisioning.DeviceTrustFile"/>).</summary>
    public string TrustFile => Path.Combine(TrustedKeysDirectory, "trust.json");

    /// <summary>Bundles queued for a running device (an update agent's download folder).</summary>
    public string InboxDirectory => Path.Combine(Root, "inbox");

    /// <summary>Per-container persistent key-value stores.</summary>
    public string KeyValueDirectory => Path.Combine(Root, "kv");

    /// <summary>Last boot, trials and installs (status.json, rewritten atomically).</summary>
    public string StatusFile => Path.Combine(Root, "status.json");

    /// <summary>Container and runtime log lines of every run, appended.</summary>
    public string LogFile => Path.Combine(Root, "device.log");

    /// <summary>Held (exclusive) by the one process that drives the device.</summary>
    public string LockFile => Path.Combine(Root, "device.lock");

    /// <summary>Pid of the lock holder, for "in use by pid N" messages (stale after a kill; only read while the lock is held).</summary>
    public string PidFile => Path.Combine(Root, "device.pid");

    /// <summary>Written once enrolment with a server succeeded: that server's origin (the device does not enrol there again).</summary>
    public string EnrollmentMarkerFile => Path.Combine(Root, "ota-enrolled");

    public bool IsInitialised => File.Exists(IdentityFile);
}
