using AtymSecure.Bootloader;
using AtymSecure.Bootloader.Boot;
using AtymSecure.Bootloader.Crypto;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Bootloader.FilePort;
using AtymSecure.DeviceAgent.Provisioning;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Trust;

namespace AtymSecure.DeviceAgent;

/// <summary>
/// One simulated device, powered on by one process: identity, trusted keys and their scopes, flash, bootloader and status file.
/// Opening it is a power-on (the bootloader recovers its state log from the flash as a kill left it); it holds
/// the device lock (<see cref="DeviceLock"/>) from then until disposed, so no other process drives the same
/// device, and callers never take the lock themselves. Every bootloader call goes through <see cref="Gate"/>:
/// the installer, the boot selection and trial verdicts (from container threads) all write the same state log.
/// </summary>
public sealed class LocalDevice : IDisposable
{
    private readonly DeviceLock _lock;
    private readonly FileBackedFlash? _file;

    private LocalDevice(DeviceDirectory directory, DeviceLock held, DeviceIdentity identity, DeviceTrust bundleTrust,
        FileBackedFlash? file, IFlash flash, DeviceBootloader bootloader, TimeProvider clock, TrustStore? trust)
    {
        Trust = trust;
        BundleTrust = bundleTrust;
        Directory = directory;
        _lock = held;
        Identity = identity;
        _file = file;
        Flash = flash;
        Bootloader = bootloader;
        Clock = clock;
        Status = new DeviceStatusPublisher(directory, identity, bundleTrust, clock);
    }

    public DeviceDirectory Directory { get; }

    public DeviceIdentity Identity { get; }

    /// <summary>
    /// The bundle keys and their scopes (development: from trusted/trust.json; production: none of its own, the keys come
    /// from the verified delegation of each install), or, for a folder of before key scopes, why nothing installs.
    /// </summary>
    public DeviceTrust BundleTrust { get; }

    /// <summary>
    /// The trust and metadata store of a production device (provisioned with both roots), or null for a development
    /// device (docs/trust-model.md §2). Loading it is step 0 of every update cycle.
    /// </summary>
    public TrustStore? Trust { get; }

    public bool IsProduction => Trust is not null;

    public IFlash Flash { get; }

    public DeviceBootloader Bootloader { get; }

    /// <summary>Serialises every use of <see cref="Bootloader"/>.</summary>
    public Lock Gate { get; } = new();

    public TimeProvider Clock { get; }

    /// <summary>status.json: the current status and the one way to change it.</summary>
    public DeviceStatusPublisher Status { get; }

    /// <summary>Power-on.</summary>
    /// <exception cref="DeviceBusyException">Another process drives the device (its pid in <see cref="DeviceBusyException.HolderPid"/>).</exception>
    /// <exception cref="DeviceDataException">Not a device folder, or a damaged identity, key or flash file.</exception>
    public static LocalDevice Open(string root, LocalDeviceOptions? options = null)
    {
        options ??= new LocalDeviceOptions();
        var directory = new DeviceDirectory(root);
        if (!directory.IsInitialised) throw new DeviceDataException($"{directory.Root} is not a device (no device.json); run `atym device init` first");
        var held = DeviceLock.Acquire(directory);
        FileBackedFlash? file = null;
        try
        {
            var identity = ReadIdentity(directory);
            var bootKey = File.ReadAllBytes(directory.BootKeyFile);
            if (bootKey.Length != DeviceKey.Size) throw new DeviceDataException($"bootloader.key is {bootKey.Length} bytes, expected {DeviceKey.Size}");
            var trust = TrustStore.Open(directory, bootKey);
            var part = options.Flash;
            if (part is null) part = file = OpenFlash(directory, options.ReadOnly);
            IFlash flash = options.FlashOperationDelay > TimeSpan.Zero ? new SlowFlash(part, options.FlashOperationDelay, options.Clock) : part;
            var bootloaderOptions = new BootloaderOptions { DeviceClass = identity.DeviceClass, Clock = options.Clock };
            var bootloader = options.ReadOnly
                ? DeviceBootloader.OpenReadOnly(flash, DeviceKey.FromBytes(bootKey), bootloaderOptions)
                : DeviceBootloader.Open(flash, DeviceKey.FromBytes(bootKey), bootloaderOptions);
            return new LocalDevice(directory, held, identity, DeviceTrust.Load(directory, bootKey, production: trust is not null), file, flash, bootloader, options.Clock, trust);
        }
        catch
        {
            file?.Dispose();
            held.Dispose();
            throw;
        }
    }

    public DeviceProfile Profile => DeviceProfile.Find(Identity.Profile);

    public IReadOnlyList<string> ContainerNames => Bootloader.Partitions.ContainerNames;

    /// <summary>Boot selection for every container (records attempts and reverts), remembered as the last boot.</summary>
    public BootReport Boot()
    {
        lock (Gate)
        {
            var report = Bootloader.Boot();
            Status.RecordBoot(report);
            return report;
        }
    }

    /// <summary>Boot selection for one container (after an install into a running device).</summary>
    public ContainerBootResult Boot(string container)
    {
        lock (Gate) return Bootloader.Boot(container);
    }

    /// <summary>The bootloader's durable view of every container, joined with what the runtime reports.</summary>
    public IReadOnlyList<ContainerStatus> SlotStatus(Func<string, RuntimeContainerStatus?>? runtime = null)
    {
        lock (Gate)
        {
            return [.. ContainerNames.Select(name => ContainerStatus.Of(name, Bootloader.State(name), runtime?.Invoke(name), Bootloader.CounterStore(name)))];
        }
    }

    /// <summary>The confirmed slot of <paramref name="container"/> (None before a first confirmed install).</summary>
    public SlotId ConfirmedSlot(string container)
    {
        lock (Gate) return Bootloader.State(container).ConfirmedSlot;
    }

    private static DeviceIdentity ReadIdentity(DeviceDirectory directory)
    {
        var info = new FileInfo(directory.IdentityFile);
        if (info.Length > DeviceIdentity.MaxFileBytes) throw new DeviceDataException($"device.json is {info.Length} bytes, above {DeviceIdentity.MaxFileBytes}");
        var identity = DeviceIdentity.Parse(File.ReadAllBytes(directory.IdentityFile));
        // The bootloader checks bundles against deviceClass, the runtime executes code for the profile's class:
        // a file where the two disagree would accept code this device cannot run.
        DeviceProfile profile;
        try { profile = DeviceProfile.Find(identity.Profile); }
        catch (ArgumentException e) { throw new DeviceDataException($"device.json: profile '{identity.Profile}' is not usable here: {e.Message}", e); }
        if (profile.DeviceClass.Name != identity.DeviceClass)
            throw new DeviceDataException(
                $"device.json: deviceClass '{identity.DeviceClass}' disagrees with profile '{identity.Profile}', whose device class is '{profile.DeviceClass.Name}'");
        return identity;
    }

    private static FileBackedFlash OpenFlash(DeviceDirectory directory, bool readOnly)
    {
        try
        {
            return readOnly ? FileBackedFlash.OpenReadOnly(directory.FlashFile) : FileBackedFlash.Open(directory.FlashFile);
        }
        catch (FlashImageFileException e)
        {
            throw new DeviceDataException($"flash file {directory.FlashFile} is damaged: {e.Message}", e);
        }
        catch (FileNotFoundException e)
        {
            throw new DeviceDataException($"flash file {directory.FlashFile} is missing", e);
        }
        catch (FlashFileInUseException e)
        {
            // Our own lock normally stops this first; a foreign process holding the file is just as busy.
            throw new DeviceBusyException($"flash file {directory.FlashFile} is in use by another process", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new DeviceDataException($"flash file {directory.FlashFile} cannot be opened for {(readOnly ? "reading" : "reading and writing")}: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        _file?.Dispose();
        _lock.Dispose();
    }
}
