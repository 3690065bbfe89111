using System.Net;
using System.Text;
using AtymSecure.OtaReleases.Offline;
using AtymSecure.OtaReleases.Tests.Endpoints;
using AtymSecure.OtaReleases.Tests.Support;
using AtymSecure.OtaServer.Ddi;
using AtymSecure.OtaStore;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaReleases.Tests.Ddi;

/// <summary>
/// <see cref="SwuGatewayArtifactSource"/> picks by class and id before it builds anything: a gateway whose controller id is
/// an atym agent id gets an <c>.swu</c>; one whose id is only a valid name (a hawkBit controller id) gets none, even with a
/// release assigned, because its agent could install no export that names it; another class goes to the next source.
/// (SWUpdate installing our <c>.swu</c> is <see cref="SwuGatewayChainTests"/>.)
/// </summary>
public sealed class SwuGatewayArtifactSourceTests(ReleaseWorld world) : IClassFixture<ReleaseWorld>, IDisposable
{
    private const string AgentId = "atym-0123456789abcdef";
    private const string ControllerName = "gateway-7";
    private readonly TempFolder _folder = TempFolder.Create("ddi-swu-source");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Only_an_agent_id_of_a_gateway_class_gets_an_swu()
    {
        await using var host = await ReleaseHost.StartAsync(world);
        host.BootstrapTuf(("sensor-filter", "1.0.0", Path.Combine(RepositoryRoot.Samples, "sensor-filter", "sensor-filter.wasm")));
        var releaseId = await host.ImportAsync(world.SensorFilter("1.0.0"));
        foreach (var id in new[] { AgentId, ControllerName })
        {
            Assert.True(host.Service<IDeviceStore>().TryAdd(DdiDevices.Of(id)));
            using var assigned = await host.Client.PostAsync("/api/v1/assignments",
                new StringContent($"{{\"releaseId\":\"{releaseId}\",\"deviceId\":\"{id}\"}}", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        }
        var options = new SwuGatewayOptions
        {
            DeviceClasses = new(["linux-x86_64"]),
            CertificateFile = SwuTestCertificate.Shared.CertificateFile,
            KeyFile = SwuTestCertificate.Shared.KeyFile,
        };
        var next = new RecordingArtifactSource();
        var folder = _folder.File("swu");
        var source = new SwuGatewayArtifactSource(options, host.Service<OfflineExporter>(), next, folder, TimeProvider.System);
        DdiArtifactRequest Request(DeviceRecord device) => new(device, "sensor-filter", releaseId, "1.0.0", "dep-1");

        var swu = await source.FindAsync(Request(DdiDevices.Of(AgentId)));
        Assert.Equal("sensor-filter-1.0.0.swu", swu?.FileName);

        // Assigned and a valid name, but no agent id: nothing is built for it.
        var before = Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Assert.Null(await source.FindAsync(Request(DdiDevices.Of(ControllerName))));
        Assert.Equal(before, Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        Assert.Empty(next.Asked);

        Assert.Null(await source.FindAsync(Request(DdiDevices.Of(ControllerName, "mcu-cortex-m4"))));
        Assert.Equal([ControllerName], next.Asked);
    }
}
