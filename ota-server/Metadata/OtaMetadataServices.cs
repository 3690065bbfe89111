using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.OtaMetadata.Resigning;
using AtymSecure.OtaMetadata.Status;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AtymSecure.OtaMetadata;

/// <summary>Where the metadata library keeps its files and how long documents live.</summary>
public sealed record OtaMetadataOptions
{
    /// <summary>The OTA server's data folder; this library uses <c>DATA/tuf/</c> (ota-server/README.md).</summary>
    public required string DataFolder { get; init; }

    public DirectorOptions Director { get; init; } = DirectorOptions.Default;

    public ImageRepositoryOptions Image { get; init; } = ImageRepositoryOptions.Default;

    public string TufFolder => Path.Combine(DataFolder, "tuf");

    public string KeysFolder => Path.Combine(TufFolder, "keys");

    public string DirectorFolder => Path.Combine(TufFolder, "director");

    public string ImageFolder => Path.Combine(TufFolder, "image");
}

/// <summary>Registration for the OTA service host (ota-server/Service), one call like the other libraries'.</summary>
public static class OtaMetadataServices
{
    /// <summary>
    /// Registers the online key store (<see cref="IOnlineKeyStore"/>; a key per online role is made on first start),
    /// the <see cref="UptaneDirector"/> and its <see cref="DirectorTargetsSigner"/>, the <see cref="ImageRepository"/>
    /// (also as <see cref="ICompilerSigningKey"/>), the hosted <see cref="MetadataResigningService"/> (running its rounds
    /// through <see cref="IResignRounds"/>: inline unless a job queue's are registered) and the
    /// <see cref="TufExpiryMetrics"/> gauges. Uses the registered <see cref="TimeProvider"/> (or the system clock)
    /// and <see cref="ITargetContent"/> (or target files in <c>DATA/tuf/image/targets</c>).
    /// </summary>
    public static IServiceCollection AddOtaMetadata(this IServiceCollection services, OtaMetadataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(_ =>
        {
            var store = new FileOnlineKeyStore(options.KeysFolder);
            foreach (var role in OnlineRoleNames.All) store.EnsureKey(role);
            return store;
        });
        services.AddSingleton<IOnlineKeyStore>(sp => sp.GetRequiredService<FileOnlineKeyStore>());
        services.AddSingleton(sp => new UptaneDirector(options.DirectorFolder, sp.GetRequiredService<IOnlineKeyStore>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetService<IDirectorTargetsStore>(), options.Director));
        services.AddSingleton(sp => sp.GetRequiredService<UptaneDirector>().Signer);
        services.AddSingleton(sp => new ImageRepository(options.ImageFolder, sp.GetRequiredService<IOnlineKeyStore>(),
            sp.GetRequiredService<TimeProvider>(), options.Image, sp.GetService<ITargetContent>()));
        services.AddSingleton<ICompilerSigningKey>(sp => sp.GetRequiredService<ImageRepository>());
        services.AddSingleton(sp => new MetadataResigner(sp.GetRequiredService<ImageRepository>(), sp.GetRequiredService<TimeProvider>()));
        // A server with a job queue replaces this with rounds claimed in the queue (the releases library's AddOtaReleases).
        services.TryAddSingleton<IResignRounds>(sp => new InlineResignRounds(sp.GetRequiredService<MetadataResigner>(),
            sp.GetService<Microsoft.Extensions.Logging.ILogger<InlineResignRounds>>()));
        services.AddHostedService<MetadataResigningService>();
        services.AddSingleton(sp => new TufExpiryMetrics(sp.GetRequiredService<ImageRepository>(), sp.GetRequiredService<UptaneDirector>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        return services;
    }
}
