using System.Net.Http.Headers;
using AtymSecure.OtaServer.Tests.Infrastructure;
using AtymSecure.OtaStore;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaServer.Tests.Fuzz;

/// <summary>
/// Query strings of the paged reads fuzzed (issue 12 §6): <c>GET /api/v1/devices?group=&amp;after=&amp;limit=</c> and
/// <c>GET /api/v1/audit?after=&amp;limit=</c> with numbers out of range or too large for their type, text, escapes,
/// repeated parameters and long values. Never a 5xx; a refusal is problem+json naming the parameter; a read changes nothing.
/// </summary>
public sealed class QueryStringFuzzTests : IAsyncLifetime
{
    private OtaTestServer _server = null!;
    private readonly List<TestDevice> _devices = [];

    public async Task InitializeAsync()
    {
        _server = await OtaTestServer.StartAsync();
        for (var i = 0; i < 3; i++) _devices.Add(await new TestDevice(_server).ReadyAsync(await _server.CreateEnrollmentTokenAsync(groups: ["lab"])));
    }

    public async Task DisposeAsync()
    {
        foreach (var device in _devices) device.Dispose();
        await _server.DisposeAsync();
    }

    private static readonly Gen<string> Value = Gen.OneOf(
        Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Int[-3, 1002].Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.OneOf<string>("", "0", "-0", "1e3", "0x10", "99999999999999999999999", "NaN", "null", "%00", "%ZZ", "%", "+1", " 1", "1 ", "lab", "LAB", "atym-"),
        Gen.String[Gen.Char.AlphaNumeric, 0, 40],
        Gen.String[Gen.Char[' ', '\u07ff'], 0, 20].Select(Uri.EscapeDataString),
        Gen.Int[1, 5].Select(n => new string('9', n * 1000)));

    private static readonly Gen<string> Query = Gen.Select(Gen.OneOf<string>("group", "after", "limit", "Limit", "after[]", "x"), Value)
        .Select((name, value) => $"{name}={value}").Array[0, 4].Select(parts => "?" + string.Join('&', parts));

    [Theory]
    [InlineData("/api/v1/devices")]
    [InlineData("/api/v1/audit")]
    public void Fuzzed_queries_get_a_page_or_a_4xx_problem_never_a_5xx(string path)
    {
        var s = _server.App.Services;
        int Audit() => s.GetRequiredService<IAuditLog>().Page(0, 10_000).Entries.Count;
        var audit = Audit();
        Query.Sample(query =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path + query, UriKind.Relative));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _server.AdminToken);
            using var response = _server.Client.SendAsync(request).GetAwaiter().GetResult();
            var status = (int)response.StatusCode;
            var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            Assert.True(status is 200 or 400, $"{path}{query} answered {status}: {body}");
            if (status == 400)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Matches("\"type\":\"https://atym.dev/problems/(invalid-field|invalid-request)\"", body);
                Assert.Matches("\"path\":\"(after|limit|group)\"", body);
            }
        }, iter: 300, threads: 1);
        Assert.Equal(audit, Audit());
        Assert.Equal(3, s.GetRequiredService<IDeviceStore>().List(null, 100).Count);
    }

    [Fact]
    public void Paging_the_devices_with_after_and_limit_visits_each_device_once()
    {
        Gen.Int[1, 4].Sample(limit =>
        {
            var seen = new List<string>();
            string? after = null;
            while (true)
            {
                var page = _server.SendAsync(HttpMethod.Get, $"/api/v1/devices?limit={limit}" + (after is null ? "" : $"&after={after}"), _server.AdminToken)
                    .GetAwaiter().GetResult().JsonAsync().GetAwaiter().GetResult();
                var ids = page.EnumerateArray().Select(d => d.GetProperty("id").GetString()!).ToList();
                Assert.True(ids.Count <= limit);
                seen.AddRange(ids);
                if (ids.Count < limit) break;
                after = ids[^1];
            }
            Assert.Equal(_devices.Select(d => d.Id).Order(StringComparer.Ordinal), seen);
        }, iter: 8, threads: 1);
    }
}
