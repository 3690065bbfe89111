using AtymSecure.Cli.Ota;
using AtymSecure.Cli.Up;
using AtymSecure.DeviceAgent.Provisioning;
using AtymSecure.Fleet;

namespace AtymSecure.Fleet.Tests.Support;

/// <summary>
/// The real server side a fleet talks to, in this process, exactly as <c>atym up</c> starts it: our registry and the OTA
/// service on loopback (free ports), the TUF roots and delegations (compiler per class, the demo vendor), the samples built,
/// pushed, signed and listed, an enrolment token, and release 1.0.0 of sensor-filter imported for both classes. One per
/// test class; each test runs its own fleet (its own folder, new device identities) against it.
/// </summary>
public sealed class FleetWorld : IAsyncLifetime
{
    private readonly TempFolder _folder = TempFolder.Create("fleet-world");
    private LocalStack? _stack;
    private OtaApiClient? _api;

    /// <summary>This machine's Linux class and portable Pulley: the two classes the simulated devices can execute here.</summary>
    public static readonly string[] Classes = [DeviceProfile.Find(DeviceProfile.Host).DeviceClass.Name, "portable-pulley64"];

    internal LocalStack Stack => _stack!;

    internal DemoOperator Operator { get; private set; } = null!;

    /// <summary>The operator API with the admin token (groups, deployments).</summary>
    internal OtaApiClient Api => _api!;

    public TrustRootFiles Roots { get; private set; } = null!;

    public string EnrollmentToken { get; private set; } = "";

    /// <summary>The release of sensor-filter 1.0.0 (good), 1.2.0 (its health probe always fails).</summary>
    public string ReleaseV1 { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var state = new UpState(_folder.Path);
        var vendorKey = await SamplePublisher.EnsureVendorKeyAsync(state, default);
        _stack = await LocalStack.StartAsync(state, vendorKey, 0, 0, TimeSpan.FromSeconds(1), default);
        Roots = await TufBootstrap.EnsureAsync(state, _stack, Classes, vendorKey, default);
        var samples = await SamplePublisher.PublishAsync(state, _stack.RegistryHost, RepositoryRoot.Samples, default);
        await TufBootstrap.ListSourcesAsync(state, _stack, samples, default);
        _api = new OtaApiClient(_stack.OtaUrl, _stack.AdminToken);
        Operator = new DemoOperator(_api);
        EnrollmentToken = await Operator.EnrollmentTokenAsync(state, default);
        ReleaseV1 = await Operator.ReleaseAsync(samples[0].Reference, "1.0.0", Classes, default);
    }

    /// <summary>A fleet of <paramref name="devices"/> in a new folder under this world's, alternating the two classes unless told.</summary>
    public FleetOptions Fleet(int devices, IReadOnlyList<FleetFault>? faults = null, IReadOnlyList<string>? profiles = null) => new()
    {
        Server = Stack.OtaUrl,
        Devices = devices,
        Profiles = profiles ?? Classes,
        Roots = Roots,
        EnrollmentToken = EnrollmentToken,
        DataDirectory = _folder.Folder("fleet-" + Guid.NewGuid().ToString("N")[..8]),
        Faults = faults ?? [],
        InitialPollInterval = TimeSpan.FromSeconds(1),
    };

    public async Task DisposeAsync()
    {
        _api?.Dispose();
        if (_stack is not null) await _stack.DisposeAsync();
        _folder.Dispose();
    }
}
