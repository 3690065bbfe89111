using AtymSecure.OtaDashboard.Auth;
using AtymSecure.OtaDashboard.Endpoints;
using AtymSecure.OtaDashboard.Live;
using AtymSecure.OtaRollouts.Service;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AtymSecure.OtaDashboard;

/// <summary>
/// Registration for the OTA host, like the other libraries': <see cref="AddOtaDashboard"/> then <see cref="MapOtaDashboard"/>.
/// Needs the host's stores, its <c>IOperatorTokenAuthenticator</c>, and the releases and rollouts libraries.
/// </summary>
public static class OtaDashboardServices
{
    public const string Prefix = "/ui";

    public static IServiceCollection AddOtaDashboard(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddRazorComponents();
        services.AddAntiforgery(o =>
        {
            o.FormFieldName = "_csrf";
            o.HeaderName = null;
            o.Cookie.Name = "atym-ui-csrf";
            o.Cookie.Path = Prefix;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.SuppressXFrameOptionsHeader = true; // the dashboard's own headers say DENY
        });
        services.AddSingleton<DashboardSessions>();
        services.AddSingleton(sp => sp.GetService<AtymSecure.OtaReleases.OtaReleasesOptions>() is { } releases
            ? Pages.VendorKeyNames.Load(releases.VendorKeyFiles) : Pages.VendorKeyNames.None);
        services.AddSingleton(sp => new RolloutHistory(sp.GetRequiredService<RolloutService>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>Maps <c>/ui</c>: the login page and assets for everyone, every other page behind a session.</summary>
    public static IEndpointRouteBuilder MapOtaDashboard(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        // Created now, so the history follows every change from the start, not from the first page view.
        _ = endpoints.ServiceProvider.GetRequiredService<RolloutHistory>();
        var ui = endpoints.MapGroup(Prefix).ExcludeFromDescription().AddEndpointFilter(DashboardFilters.HeadersAndRefusals);
        LoginEndpoints.Map(ui);
        AssetEndpoints.Map(ui);
        ui.MapGet("", () => Results.Redirect(Prefix + "/devices"));
        ui.MapGet("/", () => Results.Redirect(Prefix + "/devices"));
        var pages = ui.MapGroup("").AddEndpointFilter(DashboardFilters.RequireLogin);
        FleetEndpoints.Map(pages);
        ReleaseEndpoints.Map(pages);
        DeploymentPages.Map(pages);
        return endpoints;
    }
}
