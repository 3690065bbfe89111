using AtymSecure.Bootloader.Layout;
using AtymSecure.DeviceAgent.Http;
using AtymSecure.DeviceAgent.Provisioning;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.ContainerImage;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.Formats.Tests.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.Runtime.Logging;

namespace AtymSecure.DeviceAgent.Tests.Support;

/// <summary>
/// A production device (provisioned with the world's two roots) and the OTA server it talks to over loopback HTTP. The
/// image repository's compiler role signs with the bundle key, so the bundles TestBundles cuts are signed by the key the
/// verified delegation names (step 13). Metadata expiries count from now: the device runs on real time, through
/// <see cref="Clock"/>, which a test moves on (days, years) or sets wrong (an RTC reset) without sleeping.
/// </summary>
internal sealed class ProductionDevice : IAsyncDisposable
{
    public const string Container = "sensor-filter";
    private readonly TempFolder _temp = TempFolder.Create("production-device");

    private ProductionDevice(MetadataWorld world, TestBundles bundles, string data, TestOtaServer server)
    {
        World = world;
        Bundles = bundles;
        Data = data;
        Server = server;
    }

    public MetadataWorld World { get; }

    public TestBundles Bundles { get; }

    public string Data { get; }

    public TestOtaServer Server { get; }

    public MemoryLogSink Log { get; } = new(10_000);

    /// <summary>The device's clock on every power-on (real time unless a test moves it).</summary>
    public DeviceWallClock Clock { get; } = new();

    public static ProductionDevice Create()
    {
        var hostClass = DeviceProfile.Find(DeviceProfile.Host).DeviceClass.Name;
        var world = new MetadataWorld(deviceClass: hostClass, start: DateTimeOffset.UtcNow);
        var temp = TempFolder.Create("production-world");
        var bundles = new TestBundles(temp.File("bundles"));
        world.Repository.CompilerKey = new EcdsaP256MetadataSigner(bundles.Key);
        world.Repository.ChangeTopLevel(t => t with { Delegations = world.Repository.CurrentDelegations() });
        world.Repository.Publish();
        File.WriteAllBytes(temp.File("director-root.json"), world.DirectorRoot1);
        File.WriteAllBytes(temp.File("image-root.json"), world.ImageRoot1);
        var data = temp.File("device");
        var identity = DeviceProvisioner.Init(new DeviceDirectory(data), new DeviceInitRequest(DeviceProfile.Host,
            [new ContainerSlotPlan(Container, 256 * 1024)], [], Roots: new TrustRootFiles(temp.File("director-root.json"), temp.File("image-root.json"))));
        world.DeviceId = identity.DeviceId;
        var device = new ProductionDevice(world, bundles, data, new TestOtaServer(world));
        device._owned = temp;
        return device;
    }

    private TempFolder? _owned;

    /// <summary>The release a sample's image is, as its bundle header states it.</summary>
    public ReleaseIdentity ReleaseOf(byte[] image)
    {
        var config = ContainerImageReader.Read(image).Config;
        return new ReleaseIdentity(config.Name, config.Version!.ToString(), World.DeviceClass, (long)SecurityCounter.DefaultFor(config.Version!), ArtifactKind.Wasm);
    }

    /// <summary>Releases <paramref name="image"/> in the image repository with a real signed bundle; returns the director assignment.</summary>
    public TestDirector.Assignment Release(byte[] image, string? headerVersion = null, DateTimeOffset? bundleExpires = null, Func<BundleHeader, BundleHeader>? headerEdit = null)
    {
        var bundle = File.ReadAllBytes(Bundles.Full(image, World.DeviceClass, headerVersion: headerVersion, expires: bundleExpires, edit: headerEdit));
        TestDirector.Assignment assignment = null!;
        Server.Change(() => assignment = World.Release(ReleaseOf(image), image, bundle));
        return assignment;
    }

    /// <summary>Runs the device against the server until <paramref name="until"/> holds (or 60 s), then stops it like a clean shutdown.</summary>
    public async Task<DeviceStatus> RunUntil(Func<bool> until, string what, HttpUpdateOptions? options = null)
    {
        await using var run = PowerOn(options);
        await run.Until(until, what);
        return await run.StopAsync();
    }

    /// <summary>Powers the device on against the server; the test awaits conditions on it, then stops it (or disposes).</summary>
    /// <param name="traceTopics">Bus topics whose messages go to <see cref="Log"/> (a container's publications show it runs).</param>
    public Running PowerOn(HttpUpdateOptions? options = null, string? traceTopics = null) => new(this, options ?? Fast, traceTopics);

    /// <summary>Releases <paramref name="image"/>, assigns it and runs the device until it reports the image confirmed.</summary>
    public async Task RunConfirmed(byte[] image)
    {
        Server.Assign(Release(image));
        await RunUntil(() => ReportsConfirmed(image), "a report of the image confirmed");
    }

    /// <summary>Some report says <paramref name="image"/> is confirmed and no trial runs.</summary>
    public bool ReportsConfirmed(byte[] image)
    {
        var digest = AtymSecure.Primitives.Digest.Compute(image).ToString();
        return Server.Reports.Any(r => r.Containers.Single() is { Trial: null, Confirmed: { } c } && c.ImageDigest == digest);
    }

    /// <summary>One power-on of the device, running until stopped.</summary>
    internal sealed class Running : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task<DeviceStatus> _run;

        public Running(ProductionDevice device, HttpUpdateOptions options, string? traceTopics = null) =>
            _run = Task.Run(() => DeviceRunner.PowerOn(device.Data, new LocalDeviceOptions { Clock = device.Clock },
                new DeviceRunOptions { PollInterval = TimeSpan.FromMilliseconds(100), TraceTopics = traceTopics }, device.Server.BaseUri, options, device.Log, _stop.Token));

        /// <summary>Waits (at most 60 s) until <paramref name="until"/> holds; fails if the device stopped first.</summary>
        public async Task Until(Func<bool> until, string what)
        {
            await Wait.UntilAsync(() => until() || _run.IsCompleted, what, TimeSpan.FromSeconds(60));
            if (_run.IsCompleted && !until()) throw new InvalidOperationException($"the device stopped before {what}: {_run.Exception?.ToString() ?? "no error"}");
        }

        public async Task<DeviceStatus> StopAsync()
        {
            await _stop.CancelAsync();
            return await _run;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_run.IsCompleted)
            {
                await _stop.CancelAsync();
                try
                {
                    await _run;
                }
                catch (Exception)
                {
                    // The test already failed or stopped it; the status is of no use here.
                }
            }
            _stop.Dispose();
        }
    }

    public static readonly HttpUpdateOptions Fast = new()
    {
        InitialPollInterval = TimeSpan.FromMilliseconds(200),
        MinBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(400),
        RefusalRetryInterval = TimeSpan.FromMilliseconds(300),
    };

    /// <summary>
    /// SHA-256 of each slot's bytes as the flash file holds them (device stopped): equal before and after an attack means the
    /// bootloader wrote nothing to any slot, whatever the state records say.
    /// </summary>
    public string[] SlotDigests()
    {
        using var opened = LocalDevice.Open(Data);
        var table = opened.Bootloader.Partitions;
        return [.. new[] { SlotId.A, SlotId.B }.Select(slot =>
        {
            var partition = table.Slot(Container, slot);
            var bytes = new byte[partition.Size];
            opened.Flash.Read(partition.Offset, bytes);
            return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        })];
    }

    /// <summary>The trust store as the device last persisted it (device stopped).</summary>
    public DeviceAgent.Trust.StoredTrust StoredTrust()
    {
        using var opened = LocalDevice.Open(Data);
        return opened.Trust!.Load();
    }

    /// <summary>The image of <c>sensor-filter</c> at <paramref name="version"/> (the committed sample with its version changed).</summary>
    public static byte[] ImageAt(string version) =>
        TestBundles.Image(Container, edit: c => c with { Version = Formats.Container.SemanticVersion.Parse(version) });

    /// <summary>The newest report naming <paramref name="code"/> as its last refusal (or null).</summary>
    public VersionReport? ReportRefusing(string code) => Server.Reports.LastOrDefault(r => r.LastRefusal?.Code == code);

    public ContainerStatus ContainerStatus() => DeviceStatusQuery.Read(Data).Containers.Single(c => c.Name == Container);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Bundles.Dispose();
        _owned?.Dispose();
        _temp.Dispose();
    }
}
