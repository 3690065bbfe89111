using System.Security.Cryptography.X509Certificates;
using AtymSecure.OtaContracts;
using AtymSecure.OtaDashboard;
using AtymSecure.OtaMetadata;
using AtymSecure.OtaMetadata.Http;
using AtymSecure.OtaReleases;
using AtymSecure.OtaReleases.Endpoints;
using AtymSecure.OtaRollouts;
using AtymSecure.OtaRollouts.Endpoints;
using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Devices;
using AtymSecure.OtaServer.Endpoints;
using AtymSecure.OtaServer.Http;
using AtymSecure.OtaServer.Metrics;
using AtymSecure.OtaStore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AtymSecure.OtaServer.Hosting;

/// <summary>
/// Builds and runs the OTA service from <see cref="OtaServerOptions"/>. <c>atym ota serve</c> calls <see cref="RunAsync"/>;
/// tests call <see cref="Build"/> with a hook (a TestServer, a fake <see cref="TimeProvider"/>) or listen on port 0 and
/// read <see cref="ListeningAddress"/>. The composition lives here only: stores (one database per process), operator
/// and device authentication, the endpoints of this project and, as they land, of the releases and metadata libraries.
/// </summary>
public static class OtaServerHost
{
    /// <summary>Validates <paramref name="options"/> and builds the application (not started). On an empty data folder the
    /// one-time admin token is created now: read it from <see cref="AdminTokenBootstrap"/> in the app's services.</summary>
    public static WebApplication Build(OtaServerOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.EnsureValid();
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        options = options with { DataDirectory = dataDirectory };
        Directory.CreateDirectory(dataDirectory);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = dataDirectory,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        var listen = options.NormalizedListenUrl()!;
        builder.WebHost.UseUrls(listen);
        // The slim builder leaves out https:// address support; a configured certificate brings it back.
        if (options.CertificatePath is not null) builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Every endpoint reads its body under its own, smaller cap (RequestBody); this bounds what reaches them.
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
            if (options.CertificatePath is { } certificate)
            {
                var loaded = LoadCertificate(certificate, options.CertificateKeyPath);
                kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = loaded);
            }
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Authentication pulls in data protection, which warns about an unencrypted key ring we never use (tokens are opaque).
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        if (options.Store is { } store) services.AddOtaPostgresStore(store);
        else services.AddOtaLiteDbStore(dataDirectory);
        OperatorPolicies.Add(services);
        // Binding failures (a query parameter that is not a number, say) throw, so ProblemMiddleware answers them as problem+json.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddSingleton<OperatorAudit>();
        services.AddMetrics();
        services.AddSingleton<OtaMeters>();
        services.AddSingleton<IOtaMetrics>(sp => sp.GetRequiredService<OtaMeters>());
        services.AddOtaMetadata(new OtaMetadataOptions { DataFolder = dataDirectory });
        AddDeviceServices(services, options, dataDirectory);
        if (options.Policies is { } policies) PolicyServing.Add(services, policies);
        if (options.Ddi is { } ddi) Ddi.DdiServices.Add(services, ddi, dataDirectory);
        ObservabilitySetup.AddServices(services);
        if (options.Registry is { } registry)
        {
            services.AddOtaReleases(new OtaReleasesOptions
            {
                DataDirectory = dataDirectory, Registry = registry, VendorKeyFiles = options.VendorKeyFiles,
                Blobs = options.Blobs, RedirectBundleDownloads = options.RedirectBundleDownloads, BundleRedirectExpiry = options.BundleRedirectExpiry,
            });
            services.AddOtaRollouts();
            services.AddOtaDashboard();
        }
        services.AddSingleton(sp => AdminTokenBootstrap.Run(sp.GetRequiredService<IOperatorTokenStore>(), sp.GetRequiredService<IAuditLog>(),
            options.AdminToken, sp.GetRequiredService<TimeProvider>()));
        configure?.Invoke(builder);

        var app = builder.Build();
        _ = app.Services.GetRequiredService<AdminTokenBootstrap>();
        // Loaded (and logged) at start, not at the first request that needs it.
        _ = app.Services.GetService<AtymSecure.Policies.Serving.PolicySetSource>();
        app.UseMiddleware<RequestLog>();
        app.UseMiddleware<ProblemMiddleware>();
        // Before routing (called here, so WebApplication does not put it first): the poll's heartbeat skips the route table.
        app.UseMiddleware<PollFastPath>();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        HealthEndpoints.Map(app);
        TokenEndpoints.Map(app);
        AuditEndpoints.Map(app);
        DeviceEndpoints.Map(app);
        PollEndpoints.Map(app);
        InventoryEndpoints.Map(app);
        GroupEndpoints.Map(app);
        StatusEndpoints.Map(app);
        ObservabilitySetup.Map(app);
        if (options.Ddi is not null)
        {
            Ddi.DdiEndpoints.Map(app);
            Ddi.DdiOperatorEndpoints.Map(app);
        }
        app.MapTufEndpoints();
        app.MapTufAdminEndpoints(); // the offline half (atym tuf) is published through these; without them no device can verify anything
        if (options.Registry is not null)
        {
            app.MapReleaseEndpoints();
            app.MapBundleEndpoints();
            app.MapOfflineExportEndpoints();
            app.MapDeploymentEndpoints();
            app.MapOtaDashboard();
        }
        return app;
    }

    private static void AddDeviceServices(IServiceCollection services, OtaServerOptions options, string dataDirectory)
    {
        services.AddSingleton(_ => SessionKey.LoadOrCreate(dataDirectory));
        services.AddSingleton<DeviceSessionTokens>();
        services.AddSingleton<DeviceSessionCheck>();
        services.AddSingleton<DeviceStates>();
        services.AddSingleton<ChallengeBook>();
        services.AddSingleton(sp => new DeviceRateLimiter(sp.GetRequiredService<TimeProvider>(), options.DeviceRateLimit, options.DeviceRateWindow));
        services.AddSingleton<DeviceCaller>();
        services.AddSingleton<DeviceOrigin>();
        services.AddSingleton<DeviceEnrollment>();
        services.AddSingleton<DeviceLifecycle>();
        services.AddSingleton<ReportSummaries>();
        services.AddSingleton<PollIntervals>();
        services.AddSingleton<PollAnswers>();
    }

    /// <summary>Builds, starts and runs until <paramref name="cancellationToken"/> fires; <paramref name="started"/> sees the
    /// running app first (the CLI prints the admin token and the address there).</summary>
    public static async Task RunAsync(OtaServerOptions options, Action<WebApplication>? started = null, CancellationToken cancellationToken = default)
    {
        var app = Build(options);
        await using (app.ConfigureAwait(false))
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            started?.Invoke(app);
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The address Kestrel actually listens on (useful with port 0), after <c>StartAsync</c>.</summary>
    public static Uri ListeningAddress(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault() ?? throw new InvalidOperationException("the OTA server is not listening (not started, or hosted in a TestServer)");
        return new Uri(first);
    }

    private static X509Certificate2 LoadCertificate(string certificatePath, string? keyPath)
    {
        var certificate = keyPath is null ? X509Certificate2.CreateFromPemFile(certificatePath) : X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        // Kestrel on Linux needs the key in a form SslStream can use; a PKCS#12 round trip gives it one.
        using (certificate)
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
