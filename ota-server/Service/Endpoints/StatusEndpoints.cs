using AtymSecure.OtaContracts;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.OtaStore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AtymSecure.OtaServer.Endpoints;

/// <summary><c>GET /api/v1/status</c> (viewer): the fleet at a glance — devices by state, whether the director has a root, the poll interval.</summary>
internal static class StatusEndpoints
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/status", (IDeviceStore devices, UptaneDirector director, OtaServerOptions options, TimeProvider clock) =>
            Results.Ok(new ServerStatus(
                Enum.GetValues<DeviceState>().ToDictionary(Api.DeviceView.StateName, s => devices.Count(s)),
                director.Roots.Current?.Signed.Version,
                (long)options.PollInterval.TotalSeconds,
                clock.GetUtcNow())))
        .RequireAuthorization(OtaPolicies.Viewer).WithTags("status").Produces<ServerStatus>();
}

/// <summary>The status answer: device counts by state, the director root version (null: none uploaded yet), poll interval, server time.</summary>
public sealed record ServerStatus(IReadOnlyDictionary<string, long> Devices, long? DirectorRootVersion, long PollIntervalSeconds, DateTimeOffset ServerTime);
