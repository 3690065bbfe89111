using System.Formats.Tar;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using AtymSecure.Bootloader.State;
using AtymSecure.DeviceAgent;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.Formats;
using AtymSecure.Formats.DeviceProtocol.Ddi;
using AtymSecure.OtaContracts;
using AtymSecure.OtaReleases.Tests.Endpoints;
using AtymSecure.OtaReleases.Tests.Support;
using AtymSecure.OtaRollouts;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.OtaServer.Ddi;
using AtymSecure.OtaStore;
using AtymSecure.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AtymSecure.OtaReleases.Tests.Ddi;

/// <summary>
/// Issue 18 §2: our own agent in DDI mode against our own DDI endpoint, every part real. The OTA host on a loopback port
/// (DDI on, rollouts, releases imported from the <see cref="ReleaseWorld"/>'s registry and cut by the real cutter, the
/// director and image repository with their online keys and an operator's offline roots) deploys sensor-filter 1.0.0 to
/// group eu, where two production devices made by <c>atym device init --director-root --image-root</c> are DDI targets
/// (controller id = device id, class linux-x86_64). The server lists each its offline export
/// (<c>sensor-filter-1.0.0.export.tar</c>: metadata and bundle, <see cref="OfflineExportArtifactSource"/>), and
/// <c>atym device run --ddi URL --tenant DEFAULT --token K</c> as a process polls, downloads, verifies (metadata first,
/// then the bundle), installs, runs the container through its health trial, confirms and reports <c>closed</c>/<c>success</c>;
/// the rollout counts the device succeeded. For the second device a hostile step behind the server's own artifact
/// source (what a stolen server key or a malicious operator of the server could do) serves the export with one byte of
/// the bundle changed and lists the changed file's hashes, so DDI's transfer checks pass: the agent refuses it with
/// <c>target-mismatch</c> (the signed length and hash, step 11), writes nothing to a slot, reports <c>closed</c>/<c>failure</c>,
/// and the rollout counts the device failed.
/// </summary>
[Trait("Requires", "process")]
public sealed class DdiAgentEndToEndTests(ReleaseWorld world, ITestOutputHelper output) : IClassFixture<ReleaseWorld>, IDisposable
{
    private const string Version = "1.0.0";
    private readonly TempFolder _folder = TempFolder.Create("ddi-agent-e2e");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Our_agent_in_ddi_mode_installs_the_export_our_server_lists_and_refuses_a_tampered_one_and_the_rollout_counts_both()
    {
        var tampering = new TamperedForOneDevice(_folder.Folder("tampered"));
        await using var host = await ReleaseHost.StartAsync(world, TempFolder.Create("ota-ddi-agent"), null, loopback: true,
            server: o => o with { Ddi = new DdiOptions(), DeviceRateLimit = 1_000_000, PollInterval = TimeSpan.FromSeconds(1), PollJitterPercent = 0 },
            configure: b =>
            {
                b.Services.AddOtaRollouts(new OtaRolloutsOptions { TickInterval = TimeSpan.FromHours(1) });
                tampering.Wrap(b.Services);
            });
        var (imageRoot, directorRoot) = host.BootstrapTuf(("sensor-filter", Version, Path.Combine(RepositoryRoot.Samples, "sensor-filter", "sensor-filter.wasm")));
        var imageRootFile = _folder.Write("image-root.json", imageRoot);
        var directorRootFile = _folder.Write("director-root.json", directorRoot);
        var atym = new AtymProcess(_folder.Path, new Dictionary<string, string> { ["ATYM_KEY_PASSPHRASE"] = "device-passphrase" });
        var good = await DeviceAsync(atym, host, "good", imageRootFile, directorRootFile);
        var bad = await DeviceAsync(atym, host, "bad", imageRootFile, directorRootFile);
        tampering.DeviceId = bad.Id;
        var release = await host.ImportAsync(world.SensorFilter(Version));
        var deployment = await host.Service<RolloutService>().CreateAsync(new DeploymentRequest(release, new DeploymentTargetRequest(["eu"]), Retries: 0),
            new OperatorIdentity("0admin00", "admin", OperatorRole.Admin, []));
        DeviceRollout Rollout(string id) => host.Service<RolloutService>().Find(deployment.Id)!.Device(id)!;

        // What the server lists for an atym device id: the offline export, one artifact, and HEAD answers as GET would.
        var artifact = await ListedAsync(host, good);
        Assert.Equal("sensor-filter-1.0.0.export.tar", artifact.Filename);

        await using (var agent = atym.Start("device", "run", "--data", good.Data, "--ddi", host.Url.ToString(), "--tenant", "DEFAULT", "--token", good.Token))
        {
            await SettledAsync(() => Rollout(good.Id).State is DeviceRolloutState.Succeeded or DeviceRolloutState.Failed, agent, "the good device counted by the rollout");
            Assert.True(Rollout(good.Id).State == DeviceRolloutState.Succeeded, $"{Rollout(good.Id).State} {Rollout(good.Id).Reason}\n{agent.Log}");
            var status = DeviceStatus.Load(new DeviceDirectory(good.Data), out _);
            Assert.Contains(status.Containers, c => c.Name == "sensor-filter" && c.State == ContainerState.Confirmed && c.VersionIn(c.ConfirmedSlot) == Version);
            Assert.Contains(status.Trials, t => t.Container == "sensor-filter" && t.Version == Version && t.Verdict == AtymSecure.Runtime.Health.TrialVerdict.Passed);
            Assert.Contains($"downloaded {artifact.Filename}", agent.Log, StringComparison.Ordinal);
            output.WriteLine("good device's agent:\n" + Tail(agent.Log));
        }
        var messages = Messages(host, good.Id);
        output.WriteLine("good device's action history (newest first):\n  " + string.Join("\n  ", messages));
        Assert.StartsWith($"closed/success: confirmed sensor-filter {Version} after its health trial", messages[0], StringComparison.Ordinal);
        Assert.Contains(messages, m => m.StartsWith("downloaded/none", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("proceeding/none: installed sensor-filter", StringComparison.Ordinal));

        await using (var agent = atym.Start("device", "run", "--data", bad.Data, "--ddi", host.Url.ToString(), "--tenant", "DEFAULT", "--token", bad.Token))
        {
            await SettledAsync(() => Rollout(bad.Id).State is DeviceRolloutState.Succeeded or DeviceRolloutState.Failed, agent, "the tampered device counted by the rollout");
            Assert.True(Rollout(bad.Id).State == DeviceRolloutState.Failed, $"{Rollout(bad.Id).State} {Rollout(bad.Id).Reason}\n{agent.Log}");
            Assert.Contains(ReasonCodes.TargetMismatch, Rollout(bad.Id).Reason, StringComparison.Ordinal);
            var status = DeviceStatus.Load(new DeviceDirectory(bad.Data), out _);
            Assert.All(status.Containers, c => Assert.All(c.Slots, s => Assert.Null(s.Version)));
            Assert.Contains(status.Installs, i => i.Result == InstallResult.Refused && i.Detail.Contains(ReasonCodes.TargetMismatch, StringComparison.Ordinal));
            output.WriteLine("tampered device's agent:\n" + Tail(agent.Log));
        }
        Assert.True(tampering.Served > 0, "the tampered export was never listed");
        var refused = Messages(host, bad.Id);
        output.WriteLine("tampered device's action history (newest first):\n  " + string.Join("\n  ", refused));
        Assert.StartsWith("closed/failure", refused[0], StringComparison.Ordinal);
        Assert.Contains(ReasonCodes.TargetMismatch, refused[0], StringComparison.Ordinal);
    }

    private sealed record Device(string Id, string Data, string Token);

    /// <summary>A production device made by the CLI, and its DDI target (controller id = device id) in group eu; its TargetToken.</summary>
    private async Task<Device> DeviceAsync(AtymProcess atym, ReleaseHost host, string name, string imageRoot, string directorRoot)
    {
        var data = _folder.File(name);
        await atym.Ok("device", "init", "--data", data, "--profile", "host", "--container", "sensor-filter=1M", "--director-root", directorRoot, "--image-root", imageRoot);
        var id = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(data, "device.json"))).RootElement.GetProperty("deviceId").GetString()!;
        using var created = await host.Client.PostAsJsonAsync("/api/v1/ddi/targets", new { controllerId = id, deviceClass = "linux-x86_64", groups = new[] { "eu" } });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return new Device(id, data, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!);
    }

    /// <summary>The one artifact the device's deploymentBase lists; a HEAD on its download link gives its length and ETag.</summary>
    private static async Task<DdiArtifact> ListedAsync(ReleaseHost host, Device device)
    {
        using var client = new HttpClient { BaseAddress = host.Url };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("TargetToken", device.Token);
        var polled = DdiJson.ReadControllerBase(await client.GetByteArrayAsync($"DEFAULT/controller/v1/{device.Id}"));
        var offered = DdiJson.ReadDeploymentBase(await client.GetByteArrayAsync(polled.Links!.DeploymentBase!.Href));
        var artifact = Assert.Single(Assert.Single(offered.Deployment.Chunks).Artifacts!);
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, artifact.Links!.Download!.Href));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal((artifact.Size, $"\"{artifact.Hashes.Sha256}\""), (head.Content.Headers.ContentLength!.Value, head.Headers.ETag!.Tag));
        return artifact;
    }

    private static async Task SettledAsync(Func<bool> done, BackgroundProcess agent, string what) =>
        await Wait.UntilAsync(() => done() || agent.HasExited, what, TimeSpan.FromSeconds(180));

    private static IReadOnlyList<string> Messages(ReleaseHost host, string controllerId) =>
        Assert.Single(host.Service<IDdiStore>().ActionsFor(controllerId, 10)).Messages;

    private static string Tail(string log) => log.Length <= 6000 ? log : log[^6000..];

    /// <summary>
    /// Wraps the host's own <see cref="IDdiArtifactSource"/> chain (as the DDI services registered it): for
    /// <see cref="DeviceId"/> it serves a copy of the real export whose bundle has its last byte changed, with that copy's
    /// size and hashes, so only the device's own verification can tell. Other devices get the real artifact.
    /// </summary>
    private sealed class TamperedForOneDevice(string folder) : IDdiArtifactSource
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private IDdiArtifactSource _inner = null!;
        private DdiArtifactFile? _tampered;

        public string? DeviceId { get; set; }

        public int Served { get; private set; }

        public void Wrap(IServiceCollection services)
        {
            var original = services.Last(d => d.ServiceType == typeof(IDdiArtifactSource));
            services.Remove(original);
            services.AddSingleton<IDdiArtifactSource>(sp =>
            {
                _inner = original.ImplementationFactory is { } factory ? (IDdiArtifactSource)factory(sp) : (IDdiArtifactSource)original.ImplementationInstance!;
                return this;
            });
        }

        public async Task<DdiArtifactFile?> FindAsync(DdiArtifactRequest request, CancellationToken ct = default)
        {
            var real = await _inner.FindAsync(request, ct);
            if (real is null || request.Device.Id != DeviceId) return real;
            await _gate.WaitAsync(ct);
            try
            {
                _tampered ??= await TamperAsync(real, ct);
                Served++;
                return _tampered;
            }
            finally
            {
                _gate.Release();
            }
        }

        private async Task<DdiArtifactFile> TamperAsync(DdiArtifactFile real, CancellationToken ct)
        {
            var path = Path.Combine(folder, real.FileName);
            await using (var input = File.OpenRead(real.Path ?? throw new InvalidOperationException("the export is a local file")))
            await using (var output = File.Create(path))
            {
                using var reader = new TarReader(input);
                await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
                var changed = 0;
                while (await reader.GetNextEntryAsync(copyData: true, ct) is { } entry)
                {
                    var bytes = new MemoryStream();
                    if (entry.DataStream is { } data) await data.CopyToAsync(bytes, ct);
                    var content = bytes.ToArray();
                    if (entry.Name.StartsWith("bundles/", StringComparison.Ordinal))
                    {
                        content[^1] ^= 0x01;
                        changed++;
                    }
                    await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, entry.Name)
                    {
                        Mode = entry.Mode, ModificationTime = entry.ModificationTime, DataStream = new MemoryStream(content),
                    }, ct);
                }
                Assert.Equal(1, changed);
            }
            var tampered = await File.ReadAllBytesAsync(path, ct);
#pragma warning disable CA5350, CA5351 // the hashes DDI lists
            return real with
            {
                Path = path, Length = tampered.Length, Sha256 = Convert.ToHexStringLower(SHA256.HashData(tampered)),
                Sha1 = Convert.ToHexStringLower(SHA1.HashData(tampered)), Md5 = Convert.ToHexStringLower(MD5.HashData(tampered)),
            };
#pragma warning restore CA5350, CA5351
        }
    }
}
