using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AtymSecure.Formats.DeviceProtocol.Ddi;
using AtymSecure.OtaContracts;
using AtymSecure.OtaReleases.Endpoints;
using AtymSecure.OtaReleases.Tests.Support;
using AtymSecure.OtaRollouts;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Ddi;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.Primitives;
using AtymSecure.Signer.Keys;
using AtymSecure.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaReleases.Tests.Ddi;

/// <summary>
/// A DDI device in a real deployment over real loopback HTTP, with the default artifact source: the host (Kestrel on
/// 127.0.0.1, DDI on, releases importing from the <see cref="ReleaseWorld"/>'s registry and cutting with the real
/// cutter, rollouts) offers sensor-filter 1.0.0 to a DDI target of class linux-x86_64; its deploymentBase lists the cut
/// signed bundle with its size and SHA-256/SHA-1/MD5, and the download link serves those bytes whole, by Range, and
/// its <c>.MD5SUM</c> line.
/// </summary>
public sealed class DdiSignedBundleDownloadTests(ReleaseWorld world) : IClassFixture<ReleaseWorld>
{
    [Fact]
    public async Task A_ddi_device_downloads_the_real_signed_bundle_of_its_class_byte_exact()
    {
        using var data = TempFolder.Create("ddi-signed-bundle");
        var vendorKey = data.Write("vendor.pub", world.Samples.Trusted.PublicKeyPem());
        await using var app = OtaServerHost.Build(new OtaServerOptions
        {
            DataDirectory = data.File("ota"), ListenUrl = "127.0.0.1:0", Ddi = new DdiOptions(), DeviceRateLimit = 1_000_000,
        }.EnsureValid(), builder =>
        {
            builder.Services.AddOtaReleases(new OtaReleasesOptions
            {
                DataDirectory = data.File("ota"), Registry = "http://" + world.Registry.Host, VendorKeyFiles = [vendorKey], FleetClasses = ["linux-x86_64"],
                CompilerKeyPassphrase = PassphraseSource.FromValue(ReleaseWorld.Passphrase),
            });
            builder.Services.AddOtaRollouts(new OtaRolloutsOptions { TickInterval = TimeSpan.FromHours(1) });
        });
        app.MapReleaseEndpoints();
        app.MapBundleEndpoints();
        await app.StartAsync();
        var url = OtaServerHost.ListeningAddress(app).ToString().TrimEnd('/') + "/";
        using var admin = new HttpClient { BaseAddress = new Uri(url) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", app.Services.GetRequiredService<AdminTokenBootstrap>().CreatedText);

        var releaseId = await ImportAsync(admin, world.SensorFilter("1.0.0"));
        using var created = await admin.PostAsJsonAsync("api/v1/ddi/targets", new { controllerId = "gw-1", deviceClass = "linux-x86_64", groups = new[] { "eu" } });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var token = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        await app.Services.GetRequiredService<RolloutService>().CreateAsync(new DeploymentRequest(releaseId, new DeploymentTargetRequest(["eu"])),
            new OperatorIdentity("0admin00", "admin", OperatorRole.Admin, []));

        using var device = new HttpClient { BaseAddress = new Uri(url) };
        device.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("TargetToken", token);
        var polled = DdiJson.ReadControllerBase(await device.GetByteArrayAsync("DEFAULT/controller/v1/gw-1"));
        var offered = DdiJson.ReadDeploymentBase(await device.GetByteArrayAsync(polled.Links!.DeploymentBase!.Href));
        var chunk = Assert.Single(offered.Deployment.Chunks);
        Assert.Equal(("1.0.0", "sensor-filter"), (chunk.Version, chunk.Name));
        var artifact = Assert.Single(chunk.Artifacts!);
        Assert.Equal("sensor-filter-1.0.0.bundle", artifact.Filename);

        // The artifact is the bundle the server cut for linux-x86_64 (its SHA-256 names it in the bundle store).
        using var cut = await admin.GetAsync("bundles/sha256/" + artifact.Hashes.Sha256);
        Assert.Equal(HttpStatusCode.OK, cut.StatusCode);
        var bytes = await cut.Content.ReadAsByteArrayAsync();
#pragma warning disable CA5350, CA5351 // the hashes DDI lists
        Assert.Equal((bytes.LongLength, Digest.Compute(bytes).Encoded, Convert.ToHexStringLower(SHA1.HashData(bytes)), Convert.ToHexStringLower(MD5.HashData(bytes))),
            (artifact.Size, artifact.Hashes.Sha256, artifact.Hashes.Sha1, artifact.Hashes.Md5));
#pragma warning restore CA5350, CA5351

        var download = artifact.Links!.Download!.Href;
        Assert.Equal(bytes, await device.GetByteArrayAsync(download));
        using (var range = new HttpRequestMessage(HttpMethod.Get, download) { Headers = { Range = new RangeHeaderValue(100, 299) } })
        {
            using var partial = await device.SendAsync(range);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal(bytes[100..300], await partial.Content.ReadAsByteArrayAsync());
        }
        Assert.Equal($"{artifact.Hashes.Md5}  {artifact.Filename}\n", await device.GetStringAsync(artifact.Links.Md5Sum!.Href));
    }

    private static async Task<string> ImportAsync(HttpClient admin, string reference)
    {
        using var posted = await admin.PostAsync("api/v1/releases", new StringContent($"{{\"reference\":\"{reference}\"}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var jobId = JsonDocument.Parse(await posted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        JsonElement job = default;
        await Wait.UntilAsync(() =>
        {
            using var response = admin.GetAsync($"api/v1/jobs/{jobId}").Result;
            job = JsonDocument.Parse(response.Content.ReadAsStringAsync().Result).RootElement.Clone();
            return job.GetProperty("state").GetString() is "succeeded" or "failed";
        }, "the import to finish", TimeSpan.FromSeconds(120));
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        return job.GetProperty("resultId").GetString()!;
    }
}
