using System.Net;
using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AtymSecure.OtaServer.Tests.Http;

/// <summary>
/// The structured request log (docs/ota-server.md): one entry per request under <c>AtymSecure.OtaServer.Http.RequestLog</c>
/// with method, route pattern, status, milliseconds and caller as separate fields; no ids or secrets from the path or
/// the Authorization header; a 304 poll only at Debug.
/// </summary>
public class RequestLogTests
{
    private const string Category = "AtymSecure.OtaServer.Http.RequestLog";

    [Fact]
    public async Task Each_request_is_one_entry_with_method_route_status_time_and_caller_and_no_secret()
    {
        var logs = new CapturedLogs();
        await using var server = await OtaTestServer.StartAsync(host: builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            builder.Services.AddSingleton<ILoggerProvider>(logs);
        });
        using var device = await new TestDevice(server).ReadyAsync();
        var etag = (await device.PollAsync()).Headers.ETag!.Tag;
        Assert.Equal(HttpStatusCode.NotModified, (await device.PollAsync(etag)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Get, $"/api/v1/devices/{device.Id}", server.AdminToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.SendAsync(HttpMethod.Get, "/api/v1/tokens", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.SendAsync(HttpMethod.Get, "/api/v1/nothing-here", server.AdminToken)).StatusCode);

        var entries = logs.Of(Category);
        Assert.All(entries, e => Assert.Equal(["Caller", "ElapsedMs", "Method", "Route", "Status", "{OriginalFormat}"], e.Fields.Keys.Order(StringComparer.Ordinal)));
        Assert.All(entries, e => Assert.True(e.Fields["ElapsedMs"] is double ms && ms >= 0, $"ElapsedMs of {e.Message}"));
        IReadOnlyList<(LogLevel, object?, object?, object?, object?)> Of(string route) =>
            [.. entries.Where(e => Equals(e.Fields["Route"], route)).Select(e => (e.Level, e.Fields["Method"], e.Fields["Status"], e.Fields["Caller"], e.Fields["Route"]))];

        Assert.True(OperatorTokenText.TryParse(server.AdminToken, out var adminId, out var adminSecret));
        Assert.Equal([(LogLevel.Information, "GET", 200, "device:" + device.Id, "/api/v1/devices/{id}/poll"), (LogLevel.Debug, "GET", 304, "device:" + device.Id, "/api/v1/devices/{id}/poll")],
            Of("/api/v1/devices/{id}/poll"));
        Assert.Equal([(LogLevel.Information, "POST", 200, "anonymous", "/api/v1/devices/{id}/session")], Of("/api/v1/devices/{id}/session"));
        Assert.Contains((LogLevel.Information, "GET", 200, "token:" + adminId, "/api/v1/devices/{id}"), Of("/api/v1/devices/{id}"));
        Assert.Equal([(LogLevel.Information, "GET", 401, "anonymous", "/api/v1/tokens/")], Of("/api/v1/tokens/")); // a group's "" route keeps its slash
        Assert.Contains((LogLevel.Information, "GET", 404, "token:" + adminId, "(no route)"), Of("(no route)"));

        // The route is the pattern: the device id in the path, a session token or the admin secret is in no entry.
        Assert.All(entries, e => Assert.DoesNotContain(adminSecret, e.Message, StringComparison.Ordinal));
        Assert.All(entries, e => Assert.DoesNotContain(device.Session!, e.Message, StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => ((string)e.Fields["Route"]!).Contains(device.Id, StringComparison.Ordinal));
    }
}
