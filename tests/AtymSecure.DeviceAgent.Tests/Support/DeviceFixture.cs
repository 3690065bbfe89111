using AtymSecure.DeviceAgent.Provisioning;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Updates;
using AtymSecure.Runtime.Logging;

namespace AtymSecure.DeviceAgent.Tests.Support;

/// <summary>A freshly provisioned simulated device (real files, real bootloader, real time) and a bundle signer it trusts.</summary>
internal sealed class DeviceFixture : IDisposable
{
    /// <summary>A device that trusts <see cref="Bundles"/>' key as its compiler key (any container, any code).</summary>
    public DeviceFixture(params string[] containers)
        : this(bundles => [new TrustedKeySpec("compiler", bundles.PublicKeyFile, null)], containers)
    {
    }

    /// <summary>A device that trusts the keys <paramref name="trust"/> names (written into the bundles folder).</summary>
    public DeviceFixture(Func<TestBundles, TrustedKeySpec[]> trust, params string[] containers)
    {
        Root = System.IO.Directory.CreateTempSubdirectory("atym-device-tests-").FullName;
        Bundles = new TestBundles(Path.Combine(Root, "bundles"));
        Data = Path.Combine(Root, "device");
        DeviceProvisioner.Init(new DeviceDirectory(Data),
            new DeviceInitRequest(DeviceProfile.Host, [.. containers.Select(c => new ContainerSlotPlan(c, 256 * 1024))], trust(Bundles)));
    }

    public string Root { get; }

    public string Data { get; }

    public TestBundles Bundles { get; }

    public MemoryLogSink Log { get; } = new();

    /// <summary>`atym device install` on a stopped device.</summary>
    public InstallStatus Install(string bundle, LocalDeviceOptions? options = null) =>
        Assert.IsType<InstallAttempt.Completed>(BundleFileInstaller.InstallOrQueue(Data, bundle, options)).Install;

    /// <summary>One power-on until every trial is decided (or <paramref name="cancelAfter"/>: a power cut mid-run).</summary>
    public DeviceStatus Run(TimeSpan? cancelAfter = null, LocalDeviceOptions? options = null)
    {
        using var cancel = new CancellationTokenSource();
        if (cancelAfter is { } after) cancel.CancelAfter(after);
        return DeviceRunner.PowerOn(Data, options, new DeviceRunOptions { UntilSettled = true, SettleQuiet = TimeSpan.FromMilliseconds(500), TraceTopics = "#" }, Log, cancel.Token);
    }

    public DeviceStatus Status() => DeviceStatusQuery.Read(Data);

    public ContainerStatus Container(string name) => Status().Containers.Single(c => c.Name == name);

    public IEnumerable<string> LogLines(string container) => Log.For(container).Select(r => r.Message);

    public void Dispose()
    {
        Bundles.Dispose();
        try { System.IO.Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
