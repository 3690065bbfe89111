using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaReleases.Offline;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.OtaRollouts.Service;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AtymSecure.OtaServer.Ddi;

/// <summary>Registration of the DDI API for the host (only when <c>ddi</c> is configured). An <see cref="IDdiArtifactSource"/>
/// registered by the host's configure hook replaces the default chain (.swu for gateway classes, offline export for atym
/// device ids, signed bundle otherwise).</summary>
internal static class DdiServices
{
    public static void Add(IServiceCollection services, DdiOptions options, string dataDirectory)
    {
        // What each DDI device downloads (docs/ddi.md "What a DDI device downloads"): SWUpdate gateway classes an .swu around
        // their agent's offline export; any other controller whose id is an atym device id (our agent in DDI mode) the
        // offline export itself; every other controller the signed bundle.
        services.TryAddSingleton<IDdiArtifactSource>(sp =>
        {
            if (sp.GetService<DesiredStateResolver>() is not { } desired) return NoArtifacts.Instance;
            IDdiArtifactSource source = new SignedBundleArtifactSource(desired, sp.GetRequiredService<IBundleStore>());
            if (sp.GetService<OfflineExporter>() is not { } exporter) return options.Swu is null ? source : NoArtifacts.Instance;
            source = new OfflineExportArtifactSource(exporter, source, Path.Combine(dataDirectory, "ddi-exports"));
            return options.Swu is { } swu
                ? new SwuGatewayArtifactSource(swu, exporter, source, Path.Combine(dataDirectory, "swu"), sp.GetRequiredService<TimeProvider>())
                : source;
        });
        services.AddSingleton(options);
        services.AddSingleton<DdiAuthentication>();
        services.AddSingleton<DdiTargetRegistry>();
        services.AddSingleton<DdiActions>();
        services.AddSingleton<IExternalDeviceReports, DdiObservations>();
    }

    /// <summary>Without a registry there are no releases, so nothing to download.</summary>
    private sealed class NoArtifacts : IDdiArtifactSource
    {
        public static readonly NoArtifacts Instance = new();

        public Task<DdiArtifactFile?> FindAsync(DdiArtifactRequest request, CancellationToken ct = default) => Task.FromResult<DdiArtifactFile?>(null);
    }
}
