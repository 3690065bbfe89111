using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaReleases.Offline;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.OtaRollouts.Service;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AtymSecure.OtaServer.Ddi;

/// <summary>Registration of the DDI API for the host (only when <c>ddi</c> is configured). An <see cref="IDdiArtifactSource"/>
/// registered after this (the host's configure hook) replaces the default signed-bundle source.</summary>
internal static class DdiServices
{
    public static void Add(IServiceCollection services, DdiOptions options, string dataDirectory)
    {
        // SWUpdate gateways: an .swu around the agent's offline export for their classes, the signed bundle for the others.
        if (options.Swu is { } swu)
            services.TryAddSingleton<IDdiArtifactSource>(sp => sp.GetService<OfflineExporter>() is { } exporter
                ? new SwuGatewayArtifactSource(swu, exporter,
                    new SignedBundleArtifactSource(sp.GetRequiredService<DesiredStateResolver>(), sp.GetRequiredService<IBundleStore>()),
                    Path.Combine(dataDirectory, "swu"), sp.GetRequiredService<TimeProvider>())
                : NoArtifacts.Instance);
        services.AddSingleton(options);
        services.AddSingleton<DdiAuthentication>();
        services.AddSingleton<DdiTargetRegistry>();
        services.AddSingleton<DdiActions>();
        services.AddSingleton<IExternalDeviceReports, DdiObservations>();
        services.TryAddSingleton<IDdiArtifactSource>(sp => sp.GetService<DesiredStateResolver>() is { } desired
            ? new SignedBundleArtifactSource(desired, sp.GetRequiredService<IBundleStore>())
            : NoArtifacts.Instance);
    }

    /// <summary>Without a registry there are no releases, so nothing to download.</summary>
    private sealed class NoArtifacts : IDdiArtifactSource
    {
        public static readonly NoArtifacts Instance = new();

        public Task<DdiArtifactFile?> FindAsync(DdiArtifactRequest request, CancellationToken ct = default) => Task.FromResult<DdiArtifactFile?>(null);
    }
}
