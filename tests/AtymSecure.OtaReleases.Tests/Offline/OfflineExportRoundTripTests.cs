using System.Net;
using System.Text;
using System.Text.Json;
using AtymSecure.OtaReleases.Tests.Endpoints;
using AtymSecure.OtaReleases.Tests.Support;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaReleases.Tests.Offline;

/// <summary>
/// Issue 13 §3 offline updates end to end through the real CLI: the OTA host on a loopback port (real registry,
/// import, compile, director and image repository with their online keys), <c>atym device init --director-root
/// --image-root</c>, <c>atym ota export-offline</c> and <c>atym device install --metadata DIR</c> as processes. The
/// device verifies the export with the same verifier as over HTTP and installs; the negatives each end with their
/// reason code in the CLI's refusal and nothing installed.
/// </summary>
[Trait("Requires", "process")]
public sealed class OfflineExportRoundTripTests(ReleaseWorld world) : IClassFixture<ReleaseWorld>, IDisposable
{
    private readonly TempFolder _folder = TempFolder.Create("offline-export");

    public void Dispose() => _folder.Dispose();

    private AtymProcess Atym(ReleaseHost host) => new(_folder.Path, new Dictionary<string, string>
    {
        ["ATYM_OTA_TOKEN"] = host.AdminToken,
        ["ATYM_KEY_PASSPHRASE"] = "device-passphrase",
    });

    /// <summary>A production device made by the CLI, known to the server (what enrolment records; enrolment itself is tested in the service's tests).</summary>
    private async Task<string> DeviceAsync(AtymProcess atym, ReleaseHost host, string name, string imageRoot, string directorRoot)
    {
        var data = _folder.File(name);
        await atym.Ok("device", "init", "--data", data, "--profile", "host", "--container", "sensor-filter=1M",
            "--director-root", directorRoot, "--image-root", imageRoot);
        var id = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(data, "device.json"))).RootElement.GetProperty("deviceId").GetString()!;
        Assert.True(host.Service<IDeviceStore>().TryAdd(new DeviceRecord(id, "AAAA", "fp-" + id, "linux-x86_64", "host",
            [new DevicePartition("sensor-filter", 1 << 20)], "1.0.0", DeviceState.Active, 0, [], EquatableMap<string>.Empty,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 0)));
        return id;
    }

    private static async Task AssignAsync(ReleaseHost host, string releaseId, string deviceId)
    {
        using var assigned = await host.Client.PostAsync("/api/v1/assignments",
            new StringContent($"{{\"releaseId\":\"{releaseId}\",\"deviceId\":\"{deviceId}\"}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static async Task RefusedAsync(AtymProcess atym, string export, string data, string code)
    {
        var r = await atym.Run("device", "install", "--metadata", export, "--data", data);
        Assert.True(r.ExitCode == 1, $"expected a refusal with {code}: {r}");
        Assert.Contains(code, r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_export_installs_on_its_device_through_the_cli_and_every_tampering_is_refused_with_its_reason()
    {
        await using var host = await ReleaseHost.StartOnLoopbackAsync(world);
        var (imageRoot, directorRoot) = host.BootstrapTuf(
            ("sensor-filter", "1.0.0", Path.Combine(RepositoryRoot.Samples, "sensor-filter", "sensor-filter.wasm")),
            ("sensor-filter", "1.1.0", Path.Combine(RepositoryRoot.Samples, "sensor-filter-v1.1.0", "sensor-filter.wasm")));
        var imageRootFile = _folder.Write("image-root.json", imageRoot);
        var directorRootFile = _folder.Write("director-root.json", directorRoot);
        var atym = Atym(host);
        var device = await DeviceAsync(atym, host, "dev1", imageRootFile, directorRootFile);
        var other = await DeviceAsync(atym, host, "dev2", imageRootFile, directorRootFile);
        var v100 = await host.ImportAsync(world.SensorFilter("1.0.0"));
        await AssignAsync(host, v100, device);

        var export = _folder.File("export-1");
        var server = host.Url.ToString();
        await atym.Ok("ota", "export-offline", "--server", server, "--device", device, "--out", export);
        Assert.True(File.Exists(Path.Combine(export, "director", "targets.json")));
        Assert.Single(Directory.GetFiles(Path.Combine(export, "bundles", "sensor-filter")));

        // The tar form holds the same files (DDI/SWUpdate delivery).
        await atym.Ok("ota", "export-offline", "--server", server, "--device", device, "--out", _folder.File("export-1.tar"));
        Assert.True(new FileInfo(_folder.File("export-1.tar")).Length > 0);

        // Negatives before the good install, so each leaves the device as it was (nothing installed).
        await RefusedAsync(atym, export, _folder.File("dev2"), "wrong-device");
        var tampered = _folder.File("export-tampered");
        CopyFolder(export, tampered);
        var bundle = Directory.GetFiles(Path.Combine(tampered, "bundles", "sensor-filter"))[0];
        var bytes = await File.ReadAllBytesAsync(bundle);
        bytes[^1] ^= 0x01;
        await File.WriteAllBytesAsync(bundle, bytes);
        await RefusedAsync(atym, tampered, _folder.File("dev1"), "target-mismatch");
        var missing = _folder.File("export-missing");
        CopyFolder(export, missing);
        File.Delete(Path.Combine(missing, "image", "timestamp.json"));
        await RefusedAsync(atym, missing, _folder.File("dev1"), "metadata-missing");
        var swapped = _folder.File("export-swapped");
        CopyFolder(export, swapped);
        await File.WriteAllBytesAsync(Path.Combine(swapped, "director", "targets.json"), imageRoot); // not an offline director document
        await RefusedAsync(atym, swapped, _folder.File("dev1"), "metadata-malformed");

        var installed = await atym.Ok("device", "install", "--metadata", export, "--data", _folder.File("dev1"));
        Assert.Contains("sensor-filter 1.0.0", installed, StringComparison.Ordinal);
        Assert.Contains("Installed", installed, StringComparison.Ordinal);

        // A newer export (1.1.0) installs; the older one replayed afterwards is refused by its offline version.
        await atym.Ok("device", "run", "--data", _folder.File("dev1"), "--until-settled", "--settle-quiet", "00:00:01");
        var v110 = await host.ImportAsync(world.SensorFilter("1.1.0"));
        await AssignAsync(host, v110, device);
        await AssignAsync(host, v110, other);
        var newer = _folder.File("export-2");
        await atym.Ok("ota", "export-offline", "--server", server, "--device", device, "--device", other, "--out", newer);
        Assert.Contains("sensor-filter 1.1.0", await atym.Ok("device", "install", "--metadata", newer, "--data", _folder.File("dev1")), StringComparison.Ordinal);
        await RefusedAsync(atym, export, _folder.File("dev1"), "rollback-version");
    }
}
