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
/// verified delegation names (step 13). Metadata expiries count from now: the device runs on real time.
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
    public TestDirector.Assignment Release(byte[] image, string? headerVersion = null)
    {
        var bundle = File.ReadAllBytes(Bundles.Full(image, World.DeviceClass, headerVersion: headerVersion));
        return World.Release(ReleaseOf(image), image, bundle);
    }

    /// <summary>Runs the device against the server until <paramref name="until"/> holds (or 60 s), then stops it like a clean shutdown.</summary>
    public async Task<DeviceStatus> RunUntil(Func<bool> until, string what, HttpUpdateOptions? options = null)
    {
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => DeviceRunner.PowerOn(Data, null, new DeviceRunOptions { PollInterval = TimeSpan.FromMilliseconds(100) }, Server.BaseUri,
            options ?? Fast, Log, stop.Token));
        try
        {
            await Wait.UntilAsync(() => until() || run.IsCompleted, what, TimeSpan.FromSeconds(60));
        }
        finally
        {
            await stop.CancelAsync();
        }
        return await run;
    }

    public static readonly HttpUpdateOptions Fast = new()
    {
        InitialPollInterval = TimeSpan.FromMilliseconds(200),
        MinBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(400),
    };

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
