using AtymSecure.Delivery.Compilation;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.OtaMetadata.Resigning;
using AtymSecure.OtaReleases.Assignments;
using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaReleases.Import;
using AtymSecure.OtaReleases.Jobs;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.OtaStore;
using AtymSecure.Signer.Keys;
using AtymSecure.Signer.Verification;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AtymSecure.OtaReleases;

/// <summary>What the releases library needs from the service's configuration.</summary>
public sealed record OtaReleasesOptions
{
    /// <summary>The OTA server's data folder; this library uses <c>DATA/bundles/</c> (and <c>DATA/keys/compiler.key</c> without a key store).</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The registry releases are imported from (<c>host:port</c> or a URL; <c>http://</c> = plain HTTP).</summary>
    public required string Registry { get; init; }

    /// <summary>Public key files (PEM/DER) of the vendors whose signature allows importing a container (trust policies: issue 15).</summary>
    public IReadOnlyList<string> VendorKeyFiles { get; init; } = [];

    /// <summary>Classes compiled besides those of enrolled devices (or instead, without a device store).</summary>
    public IReadOnlyList<string> FleetClasses { get; init; } = [];

    /// <summary>How long a release's bundles stay valid, from its import.</summary>
    public TimeSpan BundleLifetime { get; init; } = TimeSpan.FromDays(180);

    /// <summary>Encrypts <c>DATA/keys/compiler.key</c> when no online key store is registered (default: <c>ATYM_OTA_KEY_PASSPHRASE</c>).</summary>
    public PassphraseSource? CompilerKeyPassphrase { get; init; }

    public JobQueueOptions Jobs { get; init; } = new();

    /// <summary>Where cut bundles and the cut index live: null = <see cref="BundleFolder"/> (the default); an
    /// <c>s3://BUCKET[/PREFIX]?endpoint=…</c> URL = that object store (<see cref="S3BundleStore"/>), shared by replicas.</summary>
    public string? Blobs { get; init; }

    /// <summary>Answer bundle GETs with <c>307</c> to a presigned object store URL instead of streaming them (needs <see cref="Blobs"/>).</summary>
    public bool RedirectBundleDownloads { get; init; }

    /// <summary>How long a redirect's presigned URL works: short, it is handed to one download.</summary>
    public TimeSpan BundleRedirectExpiry { get; init; } = TimeSpan.FromMinutes(5);

    public string BundleFolder => Path.Combine(DataDirectory, "bundles");

    public string CompilerKeyPath => Path.Combine(DataDirectory, "keys", "compiler.key");
}

/// <summary>Registration for the OTA service host, one call like the other libraries'; map with <c>MapReleaseEndpoints</c> and <c>MapBundleEndpoints</c>.</summary>
public static class OtaReleasesServices
{
    /// <summary>
    /// Registers the importer and its job queue (a hosted service; also the metadata re-signing rounds', when the metadata
    /// library is registered before), the re-releaser of rollbacks (<see cref="ReleaseRecounter"/>), assignments, the bundle cut cache and the
    /// <see cref="DesiredStateResolver"/>. Uses from the container when registered: the stores (<c>AddOtaLiteDbStore</c>),
    /// <see cref="IDeviceStore"/> for the fleet's classes, the <see cref="ImageRepository"/> to list compiled images in, <see cref="ICompilerSigningKey"/> for the compiler keys (else a key
    /// file in the data folder), <see cref="TimeProvider"/> (else the system clock).
    /// </summary>
    public static IServiceCollection AddOtaReleases(this IServiceCollection services, OtaReleasesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(new RegistryAccess(options.Registry));
        services.AddSingleton(_ => TrustedKeys.LoadFiles(options.VendorKeyFiles));
        services.TryAddSingleton<IFleetDeviceClasses>(sp => sp.GetService<IDeviceStore>() is { } devices
            ? new DeviceStoreFleetClasses(devices, options.FleetClasses)
            : new ConfiguredFleetClasses(options.FleetClasses));
        services.TryAddSingleton<ICompilerKeySource>(sp => sp.GetService<ICompilerSigningKey>() is { } keys
            ? new OnlineCompilerKey(keys)
            : new CompilerKeyFile(options.CompilerKeyPath, options.CompilerKeyPassphrase ?? PassphraseSource.FromEnvironment("ATYM_OTA_KEY_PASSPHRASE")));
        services.TryAddSingleton<IContainerCompiler>(HostAotCompiler.Instance);
        services.AddSingleton(sp => new ReleaseImporter(sp.GetRequiredService<IReleaseStore>(), sp.GetRequiredService<RegistryAccess>(),
            sp.GetRequiredService<TrustedKeys>(), sp.GetRequiredService<IFleetDeviceClasses>(), sp.GetRequiredService<ICompilerKeySource>(),
            sp.GetRequiredService<TimeProvider>(), options.BundleLifetime, sp.GetRequiredService<IContainerCompiler>(),
            sp.GetService<ImageRepository>() is { } repository ? new CompiledImagePublisher(repository) : null, sp.GetService<Policy.OtaPolicyGate>()));
        services.AddSingleton(sp => new ReleaseRecounter(sp.GetRequiredService<IReleaseStore>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ImageRepository>() is { } repository ? new CompiledImagePublisher(repository) : null, sp.GetService<ILogger<ReleaseRecounter>>()));
        services.AddSingleton<IJobHandler, ReleaseImportJob>();
        // With the metadata library (registered first, as the OTA host does): re-signing rounds run as claimed jobs,
        // once across replicas, instead of inline in every replica.
        if (services.Any(d => d.ServiceType == typeof(MetadataResigner)))
        {
            services.AddSingleton<IJobHandler>(sp => new MetadataResignJob(sp.GetRequiredService<MetadataResigner>()));
            services.Replace(ServiceDescriptor.Singleton<IResignRounds>(sp => new JobResignRounds(sp.GetRequiredService<JobQueue>())));
        }
        services.AddSingleton(sp => new JobQueue(sp.GetRequiredService<IJobStore>(), sp.GetServices<IJobHandler>(), sp.GetRequiredService<TimeProvider>(),
            options.Jobs, sp.GetService<ILogger<JobQueue>>()));
        services.AddHostedService(sp => sp.GetRequiredService<JobQueue>());
        services.AddSingleton(sp => new AssignmentService(sp.GetRequiredService<IAssignmentStore>(), sp.GetRequiredService<IReleaseStore>(),
            sp.GetRequiredService<IDeviceStore>(), sp.GetRequiredService<IAuditLog>(), sp.GetRequiredService<TimeProvider>()));
        if (options.Blobs is { } blobs)
        {
            // Opened now, so a missing bucket or refused key stops the start (BundleStoreStartException).
            var objectStore = BundleStores.OpenObjectStore(blobs, TimeProvider.System);
            services.AddSingleton<IBundleStore>(_ => objectStore);
            if (options.RedirectBundleDownloads) services.AddSingleton(new BundleRedirects(objectStore, options.BundleRedirectExpiry));
        }
        else
        {
            services.AddSingleton<IBundleStore>(_ => new BundleFileStore(options.BundleFolder));
        }
        services.TryAddSingleton<IBundleCutter>(sp => new ReleaseBundleCutter(sp.GetRequiredService<RegistryAccess>(), sp.GetRequiredService<TrustedKeys>(),
            sp.GetRequiredService<ICompilerKeySource>(), sp.GetRequiredService<IContainerCompiler>()));
        services.AddSingleton(sp => new BundleCutCache(sp.GetRequiredService<IBundleStore>(), sp.GetRequiredService<IBundleCutter>()));
        services.AddSingleton(sp => new Offline.OfflineExporter(sp.GetRequiredService<IDeviceStore>(), sp.GetRequiredService<DesiredStateResolver>(),
            sp.GetRequiredService<UptaneDirector>(), sp.GetRequiredService<ImageRepository>(), sp.GetRequiredService<IBundleStore>()));
        // With policies, each device's images carry the grants the serving set derives for it (issue 15 §3 "Device").
        services.AddSingleton(sp => new DesiredStateResolver(sp.GetRequiredService<IAssignmentStore>(), sp.GetRequiredService<IReleaseStore>(),
            sp.GetRequiredService<BundleCutCache>(), sp.GetService<IRolloutOffers>(), sp.GetService<Policy.OtaPolicyGate>() is { } gate
                ? new Policy.PolicyGrantedImages(gate, sp.GetRequiredService<IBundleCutter>(), sp.GetRequiredService<IBundleStore>(),
                    sp.GetService<ImageRepository>() is { } repository ? new CompiledImagePublisher(repository) : null, sp.GetService<ILogger<Policy.PolicyGrantedImages>>())
                : null));
        return services;
    }
}
