using System.Formats.Tar;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using AtymSecure.Formats.UpdateMetadata.Offline;
using AtymSecure.OtaReleases.Offline;
using AtymSecure.OtaReleases.Tests.Endpoints;
using AtymSecure.OtaReleases.Tests.Support;
using AtymSecure.OtaServer.Ddi;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaReleases.Tests.Ddi;

/// <summary>
/// <see cref="OfflineExportArtifactSource"/> over a real import, cutter, director and image repository in the real host:
/// an atym device id gets its offline export as one tar (the export layout, the full bundle, an offline director
/// document), made once and kept, so the same action gives the same bytes and hashes to every request and to a new source
/// on the same folder (a server restart); a controller id of another form goes to the next source; before the metadata is
/// published there is no artifact, and nothing is left behind.
/// (Our agent installing it over DDI is <see cref="DdiAgentEndToEndTests"/>.)
/// </summary>
public sealed class OfflineExportArtifactSourceTests(ReleaseWorld world) : IClassFixture<ReleaseWorld>, IDisposable
{
    private const string AgentId = "atym-0123456789abcdef";
    private readonly TempFolder _folder = TempFolder.Create("ddi-export-source");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task An_agent_id_gets_its_offline_export_once_kept_and_other_ids_go_to_the_next_source()
    {
        await using var host = await ReleaseHost.StartAsync(world);
        Assert.True(host.Service<IDeviceStore>().TryAdd(DdiDevices.Of(AgentId)));
        var folder = _folder.File("exports");
        var next = new RecordingArtifactSource();
        var source = new OfflineExportArtifactSource(host.Service<OfflineExporter>(), next, folder);

        // Nothing published or assigned yet: no artifact, no file.
        Assert.Null(await source.FindAsync(new DdiArtifactRequest(DdiDevices.Of(AgentId), "sensor-filter", "rel-0000000000000000", "1.0.0", "dep-1")));
        Assert.False(Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any());

        host.BootstrapTuf(("sensor-filter", "1.0.0", Path.Combine(RepositoryRoot.Samples, "sensor-filter", "sensor-filter.wasm")));
        var releaseId = await host.ImportAsync(world.SensorFilter("1.0.0"));
        using (var assigned = await host.Client.PostAsync("/api/v1/assignments",
            new StringContent($"{{\"releaseId\":\"{releaseId}\",\"deviceId\":\"{AgentId}\"}}", Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        var request = new DdiArtifactRequest(DdiDevices.Of(AgentId), "sensor-filter", releaseId, "1.0.0", "dep-1");
        var file = await source.FindAsync(request);
        Assert.NotNull(file);
        Assert.Equal("sensor-filter-1.0.0.export.tar", file.FileName);
        var bytes = await File.ReadAllBytesAsync(Assert.IsType<string>(file.Path));
#pragma warning disable CA5350, CA5351 // the hashes DDI lists
        Assert.Equal((bytes.LongLength, Convert.ToHexStringLower(SHA256.HashData(bytes)), Convert.ToHexStringLower(SHA1.HashData(bytes)), Convert.ToHexStringLower(MD5.HashData(bytes))),
            (file.Length, file.Sha256, file.Sha1, file.Md5));
#pragma warning restore CA5350, CA5351

        // An export tar the agent's archive reader takes: the director's root chain and offline document, the image
        // repository's files, one bundle.
        var names = new List<string>();
        await using (var stream = File.OpenRead(file.Path))
        {
            using var reader = new TarReader(stream);
            while (await reader.GetNextEntryAsync() is { } entry) names.Add(entry.Name);
        }
        Assert.Contains("director/1.root.json", names);
        Assert.Contains("director/targets.json", names);
        Assert.Contains("image/timestamp.json", names);
        Assert.Single(names, n => n.StartsWith("bundles/sensor-filter/", StringComparison.Ordinal) && n.EndsWith(".bundle", StringComparison.Ordinal));
        Assert.Equal(names.Count, OfflineExportArchive.Check(file.Path));

        // Asked again, and by a new source on the same folder (a restart): the same file, never a second export.
        Assert.Equal(file, await source.FindAsync(request));
        Assert.Equal(file, await new OfflineExportArtifactSource(host.Service<OfflineExporter>(), next, folder).FindAsync(request));
        Assert.Single(Directory.EnumerateFileSystemEntries(folder));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(file.Path));

        // Another deployment of the same release is another action: its own export.
        var other = await source.FindAsync(request with { DeploymentId = "dep-2" });
        Assert.NotNull(other);
        Assert.NotEqual(file.Path, other.Path);

        // Controller ids that are not an agent's device id: the next source decides.
        foreach (var id in new[] { "gw-1", "atym-0123456789ABCDEF", "atym-0123" })
            Assert.Null(await source.FindAsync(request with { Device = DdiDevices.Of(id) }));
        Assert.Equal(["gw-1", "atym-0123456789ABCDEF", "atym-0123"], next.Asked);
    }
}
