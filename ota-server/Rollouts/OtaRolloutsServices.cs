using AtymSecure.OtaContracts;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.OtaStore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace AtymSecure.OtaRollouts;

/// <summary>What the rollouts library needs from the service's configuration.</summary>
public sealed record OtaRolloutsOptions
{
    /// <summary>How often timeouts, soaks, retries and schedules are looked at.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>Registration for the OTA host, like the other libraries'; map with <c>MapDeploymentEndpoints</c>.</summary>
public static class OtaRolloutsServices
{
    /// <summary>
    /// Registers <see cref="RolloutService"/> as the <see cref="IRolloutOffers"/> the desired-state resolver consults and
    /// as an <see cref="IDeviceReportListener"/>, and its ticker (a hosted service). Needs the stores
    /// (<c>AddOtaLiteDbStore</c>) and the releases library (<c>AddOtaReleases</c>) registered.
    /// </summary>
    public static IServiceCollection AddOtaRollouts(this IServiceCollection services, OtaRolloutsOptions? options = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options ?? new OtaRolloutsOptions());
        services.AddSingleton(sp => new FleetReader(sp.GetRequiredService<IDeviceStore>(), sp.GetRequiredService<IDeviceReportStore>(), sp.GetService<IExternalDeviceReports>()));
        services.AddSingleton(sp => new RolloutService(sp.GetRequiredService<IDeploymentStore>(), sp.GetRequiredService<IReleaseStore>(),
            sp.GetRequiredService<FleetReader>(), sp.GetRequiredService<IAuditLog>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<RolloutService>>(),
            sp.GetService<IOtaMetrics>(), sp.GetService<OtaReleases.Import.ReleaseRecounter>(),
            sp.GetService<OtaReleases.Policy.OtaPolicyGate>() is { } gate ? new Policy.RolloutPolicy(gate, sp.GetRequiredService<IDeviceStore>(), sp.GetRequiredService<IReleaseStore>()) : null,
            sp.GetService<IRolloutLock>()));
        services.AddSingleton<IRolloutOffers>(sp => sp.GetRequiredService<RolloutService>());
        services.AddSingleton<IDeviceReportListener>(sp => sp.GetRequiredService<RolloutService>());
        services.AddHostedService(sp => new RolloutTicker(sp.GetRequiredService<RolloutService>(), sp.GetRequiredService<OtaRolloutsOptions>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<RolloutTicker>>()));
        return services;
    }
}
