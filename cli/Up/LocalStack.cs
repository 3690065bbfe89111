using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.Registry.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AtymSecure.Cli.Up;

/// <summary>
/// The servers of <c>atym up</c> in this process, on 127.0.0.1: our OCI registry and the OTA service (LiteDB) importing from
/// it and trusting the demo vendor key, both with their state under one folder (<see cref="UpState"/>). The OTA server's
/// poll interval is short (a demo shows changes within seconds). The first start's admin token is kept in the state
/// folder, so a restart on the same folder uses the same token; <see cref="NewAdminToken"/> says whether this start made it
/// (the one time it may be printed).
/// </summary>
internal sealed class LocalStack : IAsyncDisposable
{
    private LocalStack(WebApplication registry, WebApplication ota, Uri registryUrl, Uri otaUrl, string adminToken, bool newAdminToken)
    {
        NewAdminToken = newAdminToken;
        Registry = registry;
        Ota = ota;
        RegistryUrl = registryUrl;
        OtaUrl = otaUrl;
        AdminToken = adminToken;
        _stopping = CancellationTokenSource.CreateLinkedTokenSource(
            registry.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping,
            ota.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
    }

    private readonly CancellationTokenSource _stopping;

    public WebApplication Registry { get; }

    public WebApplication Ota { get; }

    public Uri RegistryUrl { get; }

    public Uri OtaUrl { get; }

    /// <summary><c>127.0.0.1:PORT</c>, as OCI references name the registry.</summary>
    public string RegistryHost => $"{RegistryUrl.Host}:{RegistryUrl.Port}";

    public string AdminToken { get; }

    /// <summary>True when the OTA server created <see cref="AdminToken"/> in this start: a fresh folder.</summary>
    public bool NewAdminToken { get; }

    public T Service<T>() where T : notnull => Ota.Services.GetRequiredService<T>();

    /// <summary>
    /// Fires when either server begins to stop: the hosts' console lifetime takes Ctrl+C (SIGINT) for itself and stops
    /// them, so the rest of <c>atym up</c> (fleet, demo) must stop on this as well as on the command's own cancellation.
    /// </summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <param name="vendorPublicKey">The public key whose signatures the OTA server accepts for imports.</param>
    /// <param name="registryPort">0 = any free port (tests).</param>
    public static async Task<LocalStack> StartAsync(UpState state, string vendorPublicKey, int registryPort, int otaPort, TimeSpan pollInterval, CancellationToken ct)
    {
        // The console is the demo's: request and lifetime logs would drown the summary (warnings still show).
        static void Quiet(WebApplicationBuilder builder) => builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var registry = RegistryServer.Build(new RegistryOptions { DataDirectory = state.RegistryData, ListenUrl = $"http://127.0.0.1:{registryPort}" }, Quiet);
        await registry.StartAsync(ct).ConfigureAwait(false);
        WebApplication? ota = null;
        try
        {
            var registryUrl = RegistryServer.ListeningAddress(registry);
            var options = new OtaServerOptions
            {
                DataDirectory = state.OtaData,
                ListenUrl = $"http://127.0.0.1:{otaPort}",
                Registry = registryUrl.AbsoluteUri.TrimEnd('/'),
                VendorKeyFiles = [vendorPublicKey],
                PollInterval = pollInterval,
                PendingRetry = TimeSpan.FromSeconds(5),
                // A dozen devices on one address poll, report and download often in a demo; the per-device budget is what bounds one device.
                DeviceRateLimit = 600,
            };
            ota = OtaServerHost.Build(options, Quiet);
            await ota.StartAsync(ct).ConfigureAwait(false);
            var created = ota.Services.GetRequiredService<AdminTokenBootstrap>().CreatedText;
            if (created is not null) state.AdminToken = created;
            var admin = state.AdminToken ?? throw new InvalidOperationException(
                $"{state.OtaData} has tokens but {state.Folder}/admin.token is missing: start on a fresh folder (--data) or restore the file");
            return new LocalStack(registry, ota, registryUrl, OtaServerHost.ListeningAddress(ota), admin, created is not null);
        }
        catch
        {
            if (ota is not null) await ota.DisposeAsync().ConfigureAwait(false);
            await registry.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Ota.StopAsync().ConfigureAwait(false);
        await Ota.DisposeAsync().ConfigureAwait(false);
        await Registry.StopAsync().ConfigureAwait(false);
        await Registry.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
