using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Simulator;
using AtymSecure.DeviceAgent;
using AtymSecure.DeviceAgent.Http;
using AtymSecure.DeviceAgent.Provisioning;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.Runtime.Drivers;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Logging;

namespace AtymSecure.Fleet;

/// <summary>
/// One device of a simulated fleet: the real agent (<see cref="DeviceRunner.RunOverHttp"/>: bootloader, runtime, HTTP update
/// source) in a device folder, on a flash part that is either in memory (<see cref="SimulatedNorFlash"/>, the same object
/// across power cycles, so a cut leaves exactly what the part held) or flash.img, behind its own <see cref="SimulatedLink"/>.
/// Power cuts are real ones for the agent: mid-install the part itself stops between two flash operations (a fault plan
/// armed when the bundle arrived), mid-download the run is cut off with the partial file left behind; either way the device
/// powers on again from what storage holds, like after a kill.
/// </summary>
internal sealed class SimulatedDevice : IDisposable
{
    private readonly FleetOptions _fleet;
    private readonly IReadOnlySet<FleetFaultKind> _faults;
    private readonly TimeSpan? _offlineFor;
    private readonly SimulatedLink _link;
    private readonly ServerRoute _route;

    /// <summary>The replica this device talks to now, and how often it failed over (<see cref="ServerRoute"/>).</summary>
    public Uri Replica => _route.Current;

    public int Failovers => _route.Failovers;
    private readonly HttpClient _http;
    private readonly RuntimeOptions _runtime;
    private readonly TimeProvider _clock;
    private SimulatedNorFlash? _flash;
    private volatile LocalDevice? _running;
    private DeviceStatus? _last;
    private CancellationTokenSource? _cycle;
    private int _installCutsLeft;

    /// <param name="faults">The faults that hit this device (<see cref="FleetFault.Hits"/>); of two of one kind, the first one's argument counts.</param>
    public SimulatedDevice(int index, string profile, FleetOptions fleet, IReadOnlyList<FleetFault> faults, EngineCache engines, TimeProvider clock)
    {
        Index = index;
        Profile = profile;
        _fleet = fleet;
        _faults = faults.Select(f => f.Kind).ToHashSet();
        _offlineFor = faults.FirstOrDefault(f => f.Kind == FleetFaultKind.Offline)?.Duration;
        _clock = clock;
        Directory = new DeviceDirectory(Path.Combine(fleet.DataDirectory, "devices", index.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)));
        _route = new ServerRoute(fleet.AllServers, index, clock);
        _link = new SimulatedLink(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, clock, _route);
        _http = new HttpClient(_link) { Timeout = TimeSpan.FromSeconds(100) };
        _runtime = new RuntimeOptions { Isolation = ContainerIsolation.InProcess, SharedEngines = engines, EpochTick = engines.EpochTick };
        _link.BytesPerSecond = faults.FirstOrDefault(f => f.Kind == FleetFaultKind.SlowLink)?.BytesPerSecond;
        if (_faults.Contains(FleetFaultKind.PowerCutDownload)) _link.ArmCutMidDownload();
        _link.CutMidDownload = () => PowerCut("mid-download");
        if (_faults.Contains(FleetFaultKind.PowerCutInstall)) _installCutsLeft = 1;
        _link.BundleCompleted = ArmInstallCut;
    }

    public int Index { get; }

    public string Profile { get; }

    public DeviceDirectory Directory { get; }

    public IReadOnlySet<FleetFaultKind> Faults => _faults;

    public string? DeviceId { get; private set; }

    /// <summary>Power cuts survived so far (each followed by a power-on).</summary>
    public int PowerCuts { get; private set; }

    public int OfflineRefusals => _link.OfflineRefusals;

    /// <summary>The rate this device's link gives bundle bodies (null = loopback speed).</summary>
    internal long? LinkBytesPerSecond => _link.BytesPerSecond;

    /// <summary>The status as the running agent holds it (or as the last run left it).</summary>
    public DeviceStatus? Status => _running?.Status.Current ?? _last;

    public bool Enrolled => File.Exists(Directory.EnrollmentMarkerFile);

    /// <summary>The last thing that stopped a run unexpectedly (shown by the CLI; null while all is well).</summary>
    public string? LastFault { get; private set; }

    /// <summary>Makes the device folder and its flash (or reuses the folder from an earlier run).</summary>
    public void Provision()
    {
        if (Directory.IsInitialised)
        {
            var identity = DeviceIdentity.Parse(File.ReadAllBytes(Directory.IdentityFile));
            DeviceId = identity.DeviceId;
            // Memory flash did not outlive the last process: this device powers on with a blank part (a factory re-flash).
            if (!_fleet.FlashInFiles) _flash = (SimulatedNorFlash)DeviceProvisioner.FormatFlash(identity, File.ReadAllBytes(Directory.BootKeyFile), g => new SimulatedNorFlash(g));
            return;
        }
        var request = new DeviceInitRequest(Profile, _fleet.Containers, [], null, _fleet.Roots);
        Func<FlashGeometry, IFlash>? part = _fleet.FlashInFiles ? null : g => _flash = new SimulatedNorFlash(g);
        DeviceId = DeviceProvisioner.Init(Directory, request, _clock, part).DeviceId;
    }

    /// <summary>Power-on after power-on until <paramref name="stop"/>: the device's life. Runs on its own thread.</summary>
    public void Run(CancellationToken stop)
    {
        if (_offlineFor is { } offline) _link.OfflineUntil = _clock.GetUtcNow() + offline;
        var run = new DeviceRunOptions
        {
            Runtime = _runtime,
            PollInterval = TimeSpan.FromMilliseconds(500),
            Sensors = _faults.Contains(FleetFaultKind.FailingHealth) ? clock => new BrokenSensors(SimulatedSensorBank.Demo(clock)) : null,
        };
        var updates = new HttpUpdateOptions
        {
            EnrollmentToken = _fleet.EnrollmentToken,
            InitialPollInterval = _fleet.InitialPollInterval,
            MaxBackoff = TimeSpan.FromSeconds(15),
        };
        while (!stop.IsCancellationRequested)
        {
            using var cycle = CancellationTokenSource.CreateLinkedTokenSource(stop);
            Volatile.Write(ref _cycle, cycle);
            try
            {
                using var device = LocalDevice.Open(Directory.Root, new LocalDeviceOptions { Flash = _flash, Clock = _clock });
                using var file = new RotatingFileLogSink(device.Directory.LogFile, device.Profile.LogFiles, device.Profile.LogFileBytes);
                _running = device;
                try
                {
                    _last = DeviceRunner.RunOverHttp(device, _http, _fleet.Server, updates, run, file, cycle.Token);
                }
                finally
                {
                    _last = device.Status.Current;
                    _running = null;
                }
            }
            catch (Exception e) when (IsPowerCut(e))
            {
                // The part stopped between two flash operations; the finally blocks above saw it frozen too.
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                LastFault = e.Message;
                // A device that cannot power on (a damaged folder) stays off until the fleet stops.
                stop.WaitHandle.WaitOne();
            }
            Volatile.Write(ref _cycle, null);
            if (stop.IsCancellationRequested) break;
            PowerCuts++;
            _flash?.PowerOn();
        }
    }

    private static bool IsPowerCut(Exception e) =>
        e is PowerCutException || e.InnerException is { } inner && IsPowerCut(inner) || e is AggregateException a && a.InnerExceptions.Any(IsPowerCut);

    /// <summary>Ends this power-on at once (the download's partial file and the flash stay as they are).</summary>
    private void PowerCut(string why)
    {
        LastFault = $"power cut {why}";
        Volatile.Read(ref _cycle)?.Cancel();
    }

    /// <summary>The bundle is on storage: the install that follows is cut a few flash operations in (once).</summary>
    private void ArmInstallCut()
    {
        if (_flash is not { } flash || Interlocked.Exchange(ref _installCutsLeft, 0) != 1) return;
        LastFault = "power cut mid-install (armed)";
        flash.Arm(new FaultPlan { CutBeforeOperation = flash.OperationCount + 8, CutKind = CutKind.TornProgram, Seed = Index });
    }

    public void Dispose() => _http.Dispose();
}
