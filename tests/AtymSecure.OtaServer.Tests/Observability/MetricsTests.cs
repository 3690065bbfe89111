using System.Net;
using AtymSecure.OtaContracts;
using AtymSecure.OtaServer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaServer.Tests.Observability;

/// <summary>/metrics in Prometheus text: the series issue 12 names, with their labels, counting what happened.</summary>
[Collection(MetricsCollection.Name)]
public class MetricsTests
{
    private static async Task<string[]> ScrapeAsync(OtaTestServer server)
    {
        var response = await server.Client.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadAsStringAsync()).Split('\n');
    }

    /// <summary>The value of the one series <paramref name="name"/> carrying <paramref name="label"/> (e.g. <c>result="changed"</c>).</summary>
    private static double Value(string[] lines, string name, string? label = null)
    {
        var seriesStart = name + "{";
        var line = lines.SingleOrDefault(l => l.StartsWith(seriesStart, StringComparison.Ordinal) && (label is null || l.Contains(label, StringComparison.Ordinal)))
            ?? throw new Xunit.Sdk.XunitException($"no series {seriesStart} in:\n{string.Join('\n', lines.Where(l => l.StartsWith("atym_", StringComparison.Ordinal)))}");
        // "name{labels} value [timestamp]"
        return double.Parse(line[(line.IndexOf('}', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Polls_by_result_devices_by_state_bundle_bytes_by_kind_deployments_and_request_latency_are_exported()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var device = await new TestDevice(server).ReadyAsync();
        using var pending = new TestDevice(server);
        await pending.EnrollAsync();
        var etag = (await device.PollAsync()).Headers.ETag!.Tag;
        await device.PollAsync(etag);
        await device.PollAsync(etag);
        var metrics = server.App.Services.GetRequiredService<IOtaMetrics>();
        metrics.BundleBytesServed(BundleKind.Delta, 1200);
        metrics.BundleBytesServed(BundleKind.Full, 50_000);
        metrics.SetActiveDeployments(3);

        var lines = await ScrapeAsync(server);
        Assert.Equal(1, Value(lines, "atym_ota_polls_total", "result=\"changed\""));
        Assert.Equal(2, Value(lines, "atym_ota_polls_total", "result=\"not-modified\""));
        Assert.Equal(1200, Value(lines, "atym_ota_bundle_bytes_total", "kind=\"delta\""));
        Assert.Equal(50_000, Value(lines, "atym_ota_bundle_bytes_total", "kind=\"full\""));
        Assert.Equal(1, Value(lines, "atym_ota_devices", "state=\"active\""));
        Assert.Equal(1, Value(lines, "atym_ota_devices", "state=\"pending\""));
        Assert.Equal(3, Value(lines, "atym_ota_active_deployments"));
        Assert.Contains(lines, l => l.StartsWith("http_server_request_duration_seconds_bucket{", StringComparison.Ordinal)
            && l.Contains("http_route=\"/api/v1/devices/{id}/poll\"", StringComparison.Ordinal));
    }
}

/// <summary>
/// Tests that read exported values run alone: OpenTelemetry listens to every meter of the process by name, so a scrape of
/// one test host also counts the polls of another host a parallel test runs (one host per process in production).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "exported metrics";
}
