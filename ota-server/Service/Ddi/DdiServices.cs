using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.OtaRollouts.Service;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AtymSecure.OtaServer.Ddi;

/// <summary>Registration of the DDI API for the host (only when <c>ddi</c> is configured). An <see cref="IDdiArtifactSource"/>
/// registered after this (the host's configure hook) replaces the default signed-bundle source.</summary>
internal static class DdiServices
{
    public static void Add(IServiceCollection services, DdiOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<DdiAuthentication>();
        services.AddSingleton<DdiTargetRegistry>();
        services.AddSingleton<DdiActions>();
        services.AddSingleton<IExternalDeviceReports, DdiObservations>();
        services.TryAddSingleton<IDdiArtifactSource>(sp => sp.GetService<DesiredStateResolver>() is { } desired
            ? new SignedBundleArtifactSource(desired, sp.GetRequiredService<BundleFileStore>())
            : NoArtifacts.Instance);
    }

    /// <summary>Without a registry there are no releases, so nothing to download.</summary>
    private sealed class NoArtifacts : IDdiArtifactSource
    {
        public static readonly NoArtifacts Instance = new();

        public Task<DdiArtifactFile?> FindAsync(DdiArtifactRequest request, CancellationToken ct = default) => Task.FromResult<DdiArtifactFile?>(null);
    }
}
