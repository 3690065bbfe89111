using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AtymSecure.OtaReleases.Endpoints;
using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.OtaReleases.Tests.Support;
using AtymSecure.Signer.Keys;
using AtymSecure.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaReleases.Tests.Endpoints;

/// <summary>
/// The real OTA host (operator auth, problem+json, LiteDB store in a fresh data folder) in a TestServer, with this
/// library registered (<see cref="OtaReleasesServices.AddOtaReleases"/>) and its endpoints mapped, importing from the
/// <see cref="ReleaseWorld"/>'s registry. The admin token authenticates <see cref="Client"/>.
/// </summary>
internal sealed class ReleaseHost : IAsyncDisposable
{
    private ReleaseHost(WebApplication app, TempFolder data)
    {
        App = app;
        DataFolder = data;
    }

    public WebApplication App { get; }

    public HttpClient Client { get; private set; } = null!;

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public static Task<ReleaseHost> StartAsync(ReleaseWorld world) => StartAsync(world, TempFolder.Create("ota-releases-host"), null);

    /// <summary>A host on <paramref name="data"/> (a restart when an earlier host used it, whose <paramref name="adminToken"/> still works); the host disposes it.</summary>
    public static async Task<ReleaseHost> StartAsync(ReleaseWorld world, TempFolder data, string? adminToken)
    {
        var vendorKey = data.Write("vendor.pub", world.Samples.Trusted.PublicKeyPem());
        var app = OtaServerHost.Build(new OtaServerOptions { DataDirectory = data.Path, ListenUrl = "http://127.0.0.1:0" }, builder =>
        {
            builder.WebHost.UseTestServer();
            builder.Services.AddOtaReleases(new OtaReleasesOptions
            {
                DataDirectory = data.Path,
                Registry = "http://" + world.Registry.Host,
                VendorKeyFiles = [vendorKey],
                FleetClasses = ["linux-x86_64"],
                Jobs = new OtaReleases.Jobs.JobQueueOptions { FirstRetryDelay = TimeSpan.FromMilliseconds(100), MaxRetryDelay = TimeSpan.FromMilliseconds(400) },
                CompilerKeyPassphrase = PassphraseSource.FromValue(ReleaseWorld.Passphrase),
            });
        });
        app.MapReleaseEndpoints();
        app.MapBundleEndpoints();
        await app.StartAsync();
        var host = new ReleaseHost(app, data) { Client = app.GetTestClient() };
        host.AdminToken = adminToken ?? app.Services.GetRequiredService<AdminTokenBootstrap>().CreatedText!;
        host.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.AdminToken);
        return host;
    }

    public TempFolder DataFolder { get; }

    /// <summary>Imports <paramref name="reference"/> through <c>POST /api/v1/releases</c>, waits for its job to succeed, and returns the release id.</summary>
    public async Task<string> ImportAsync(string reference)
    {
        using var posted = await Client.PostAsync("/api/v1/releases",
            new StringContent($"{{\"reference\":\"{reference}\"}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var jobId = JsonDocument.Parse(await posted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        JsonElement job = default;
        await Wait.UntilAsync(() =>
        {
            using var response = Client.GetAsync($"/api/v1/jobs/{jobId}").Result;
            job = JsonDocument.Parse(response.Content.ReadAsStringAsync().Result).RootElement.Clone();
            return job.GetProperty("state").GetString() is "succeeded" or "failed";
        }, "the import to finish", TimeSpan.FromSeconds(120));
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        return job.GetProperty("resultId").GetString()!;
    }

    public string AdminToken { get; private set; } = "";

    /// <summary>Stops the host and hands back its data folder (for a restart).</summary>
    public async Task<TempFolder> StopAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        return DataFolder;
    }

    public async ValueTask DisposeAsync() => (await StopAsync()).Dispose();
}
