using AtymSecure.OtaMetadata.Status;
using AtymSecure.OtaServer.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using OpenTelemetry.Metrics;
using Scalar.AspNetCore;

namespace AtymSecure.OtaServer.Hosting;

/// <summary>
/// OpenAPI (Microsoft.AspNetCore.OpenApi, <c>/openapi/v1.json</c>, committed as docs/openapi/ota-v1.json and compared by a
/// test), Scalar at <c>/docs</c>, and Prometheus metrics through OpenTelemetry at <c>/metrics</c>: our meters plus
/// ASP.NET Core's request-duration histogram.
/// </summary>
internal static class ObservabilitySetup
{
    public const string OpenApiPath = "/openapi/v1.json";

    public static void AddServices(IServiceCollection services)
    {
        services.AddOpenApi("v1", options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "AtymSecure OTA service",
                Version = "v1",
                Description = "Operator and device API of atym ota serve (docs/ota-server.md, docs/device-protocol.md). Errors are RFC 9457 problem+json.",
            };
            // The served document must not depend on the host it was fetched from (it is committed and compared).
            document.Servers = [];
            return Task.CompletedTask;
        }));
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(OtaMeters.MeterName, TufExpiryMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            // No scrape cache (the exporter's default keeps a scrape for 300 ms): a scrape shows the state at that moment,
            // and a scraper polls every few seconds at most, so the cache saves nothing worth a stale answer.
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
    }

    public static void Map(WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/docs", options => options.WithOpenApiRoutePattern(OpenApiPath)).AllowAnonymous();
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
    }
}
