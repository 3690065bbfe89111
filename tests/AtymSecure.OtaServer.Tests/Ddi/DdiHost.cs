using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AtymSecure.Formats.DeviceProtocol.Ddi;
using AtymSecure.OtaContracts;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.OtaServer.Ddi;
using AtymSecure.OtaStore;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Ota;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaServer.Tests.Ddi;

/// <summary>
/// The real OTA host on a loopback port (<see cref="SeededOtaHost"/>: releases 1.0.0 and 2.0.0 of sensor-filter,
/// rollouts, a fake clock) with the DDI API on, one atym device <c>d00</c> in group eu, and a file artifact source (the
/// seeded releases have no cut bundles; the source serves one real file of random bytes for every action, so downloads
/// go over real HTTP). Clients speak DDI with real <see cref="HttpClient"/>s.
/// </summary>
internal sealed class DdiHost : IAsyncDisposable
{
    public const string Tenant = "DEFAULT";

    private DdiHost(SeededOtaHost host, FileArtifactSource artifacts)
    {
        Host = host;
        Artifacts = artifacts;
    }

    public SeededOtaHost Host { get; }

    public FileArtifactSource Artifacts { get; }

    public string Url => Host.Url;

    public static async Task<DdiHost> StartAsync(DdiOptions? ddi = null)
    {
        var folder = TempFolder.Create("ddi-artifact");
        var artifacts = new FileArtifactSource(folder, RandomNumberGenerator.GetBytes(40_000));
        var host = await SeededOtaHost.StartAsync(new SeededOtaHostOptions
        {
            Loopback = true,
            Devices = 1,
            Server = o => o with { Ddi = ddi ?? new DdiOptions(), DeviceRateLimit = 1_000_000 },
            Configure = b => b.Services.AddSingleton<IDdiArtifactSource>(artifacts),
        });
        return new DdiHost(host, artifacts);
    }

    public T Service<T>() where T : notnull => Host.Service<T>();

    /// <summary>Creates a DDI target through the operator API; its TargetToken.</summary>
    public async Task<string> CreateTargetAsync(string id, params string[] groups)
    {
        var created = await Host.Client.PostAsJsonAsync("/api/v1/ddi/targets", new { controllerId = id, groups });
        Assert.True(created.StatusCode == System.Net.HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    public async Task<string> CreateGatewayTokenAsync()
    {
        var created = await Host.Client.PostAsync("/api/v1/ddi/gateway-token", null);
        Assert.True(created.StatusCode == System.Net.HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    /// <summary>A client with <c>Authorization: SCHEME TOKEN</c> (none when <paramref name="token"/> is null).</summary>
    public HttpClient Client(string? token, string scheme = "TargetToken")
    {
        var client = new HttpClient { BaseAddress = new Uri(Url + "/") };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(scheme, token);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    public static string Base(string controllerId) => $"{Tenant}/controller/v1/{controllerId}";

    public static async Task<DdiControllerBase> PollAsync(HttpClient client, string controllerId)
    {
        var answer = await client.GetAsync(Base(controllerId));
        Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);
        return DdiJson.ReadControllerBase(await answer.Content.ReadAsByteArrayAsync());
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static StringContent Feedback(string execution, string finished, string detail = "step") =>
        Json($$$"""{"id":"1","time":"20261204T120000","status":{"execution":"{{{execution}}}","result":{"finished":"{{{finished}}}"},"details":["{{{detail}}}"]}}""");

    /// <summary>A deployment of V2 (2.0.0) to group eu, no waves, as the admin.</summary>
    public Task<DeploymentState> DeployAsync(HaltRequest? halt = null, int? retries = null) => Service<RolloutService>().CreateAsync(
        new DeploymentRequest(Host.V2.Id, new DeploymentTargetRequest(["eu"]), Halt: halt, Retries: retries),
        new OperatorIdentity("0admin00", "admin", OperatorRole.Admin, []));

    public DeploymentState Deployment(string id) => Service<RolloutService>().Find(id)!;

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        Artifacts.Dispose();
    }

    /// <summary>One real file served for every action (what an .swu builder or the bundle source would hand out).</summary>
    internal sealed class FileArtifactSource : IDdiArtifactSource, IDisposable
    {
        private readonly TempFolder _folder;

        public FileArtifactSource(TempFolder folder, byte[] bytes)
        {
            _folder = folder;
            Bytes = bytes;
            var path = folder.Write("payload.bin", bytes);
#pragma warning disable CA5350, CA5351 // the hashes DDI lists
            File = new DdiArtifactFile("sensor-filter-2.0.0.bundle", path, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)),
                Convert.ToHexStringLower(SHA1.HashData(bytes)), Convert.ToHexStringLower(MD5.HashData(bytes)));
#pragma warning restore CA5350, CA5351
        }

        public byte[] Bytes { get; }

        public DdiArtifactFile File { get; }

        public List<DdiArtifactRequest> Requests { get; } = [];

        public Task<DdiArtifactFile?> FindAsync(DdiArtifactRequest request, CancellationToken ct = default)
        {
            lock (Requests) Requests.Add(request);
            return Task.FromResult<DdiArtifactFile?>(File);
        }

        public void Dispose() => _folder.Dispose();
    }
}
