using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using AtymSecure.OtaDashboard.Tests.Support;
using AtymSecure.OtaStore;
using AtymSecure.OtaStore.LiteDb;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Xunit.Abstractions;

namespace AtymSecure.OtaDashboard.Tests.Endpoints;

/// <summary>
/// The fleet page over 100,000 devices in the real LiteDB store: the first page is one store query with a limit of one
/// page plus one (to know there is a next), and the store hands back no more than that — asserted on the store's reads, not
/// on a time. Filters (container version and last seen too) and the next-page cursor reach the store as a query.
/// </summary>
public sealed partial class FleetPagingTests(FleetPagingTests.Fleet fleet) : IClassFixture<FleetPagingTests.Fleet>
{
    public const int Devices = 100_000;

    [Fact]
    public async Task The_first_page_of_100000_devices_reads_one_page_from_the_store()
    {
        using var ui = fleet.Host.Ui();
        await ui.LoginAsync(fleet.Host.AdminToken);
        fleet.Store.Reads.Clear();
        var page = await ui.PageAsync("/ui/devices");

        var read = Assert.Single(fleet.Store.Reads);
        Assert.Equal((DeviceQuery.All, (string?)null, 51, 51), read);
        var rows = Rows().Matches(page).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(Enumerable.Range(0, 50).Select(Id), rows);
        Assert.Contains($"href=\"/ui/devices?after={Id(49)}\"", page, StringComparison.Ordinal);

        fleet.Store.Reads.Clear();
        var next = await ui.PageAsync($"/ui/devices?after={Id(49)}");
        Assert.Equal((DeviceQuery.All, (string?)Id(49), 51, 51), Assert.Single(fleet.Store.Reads));
        Assert.Equal(Id(50), Rows().Match(next).Groups[1].Value);
    }

    [Fact]
    public async Task Filters_reach_the_store_as_one_query_and_bad_ones_are_refused_with_the_field()
    {
        using var ui = fleet.Host.Ui();
        await ui.LoginAsync(fleet.Host.AdminToken);
        fleet.Store.Reads.Clear();
        var page = await ui.PageAsync("/ui/devices?q=dev-00012&class=portable-pulley64&tag=site%3Dfield&state=active");
        var read = Assert.Single(fleet.Store.Reads);
        Assert.Equal(new DeviceQuery("dev-00012", null, "site", "field", "portable-pulley64", DeviceState.Active), read.Query);
        // dev-00012x: ten with the prefix beyond dev-00012 itself; the odd ones are pulley64 in us (site=field).
        Assert.Equal(["dev-000121", "dev-000123", "dev-000125", "dev-000127", "dev-000129"], Rows().Matches(page).Select(m => m.Groups[1].Value));
        Assert.DoesNotContain("Next page", page, StringComparison.Ordinal);

        using var bad = await ui.GetAsync("/ui/devices?state=sleeping");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var text = await bad.Content.ReadAsStringAsync();
        Assert.Contains("filter-invalid", text, StringComparison.Ordinal);
        Assert.Contains("at state", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_and_last_seen_filters_are_one_store_read_of_a_page_plus_one()
    {
        using var ui = fleet.Host.Ui();
        await ui.LoginAsync(fleet.Host.AdminToken);
        fleet.Store.Reads.Clear();
        var now = fleet.Host.Clock.GetUtcNow();
        var page = await ui.PageAsync("/ui/devices?version=sensor-filter%3D1.1.0&seen=24h&unseen=1h");

        var read = Assert.Single(fleet.Store.Reads);
        Assert.Equal((new DeviceQuery(Container: "sensor-filter", ContainerVersion: "1.1.0", SeenBefore: now.AddHours(-1), SeenSince: now.AddHours(-24)), (string?)null, 51, 51), read);
        // Seeded: every third device on 1.1.0, device i last seen (i % 48) h 30 min before the seed.
        var expected = Enumerable.Range(0, Devices).Where(i => i % 3 == 0 && i % 48 is >= 1 and <= 23).Take(50).Select(Id);
        Assert.Equal(expected, Rows().Matches(page).Select(m => m.Groups[1].Value));
        Assert.Contains("Next page", page, StringComparison.Ordinal);
        Assert.Contains("version=sensor-filter%3D1.1.0&amp;seen=24h&amp;unseen=1h&amp;after=", page, StringComparison.Ordinal);
    }

    private static string Id(int i) => $"dev-{i:D6}";

    [GeneratedRegex("<td><a href=\"/ui/devices/([^\"]+)\">")]
    private static partial Regex Rows();

    /// <summary>One host for the class: 100,000 devices, seeded once.</summary>
    public sealed class Fleet(IMessageSink sink) : IAsyncLifetime
    {
        internal DashboardHost Host { get; private set; } = null!;

        internal CountingDeviceStore Store { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Host = await DashboardHost.StartAsync(devices: 0, services =>
            {
                services.RemoveAll<IDeviceStore>();
                services.AddSingleton(sp => new CountingDeviceStore(new LiteDbDeviceStore(sp.GetRequiredService<OtaDatabase>())));
                services.AddSingleton<IDeviceStore>(sp => sp.GetRequiredService<CountingDeviceStore>());
            });
            Store = Host.Service<CountingDeviceStore>();
            var watch = Stopwatch.StartNew();
            var at = Host.Clock.GetUtcNow();
            // One transaction for the whole seed (a commit per device would take minutes).
            Host.Service<OtaDatabase>().Write(() =>
            {
                for (var i = 0; i < Devices; i++)
                    Store.TryAdd(DashboardHost.Device(Id(i), i % 2 == 0 ? "eu" : "us", at, i % 2 == 0 ? "linux-x86_64" : "portable-pulley64") with
                    {
                        Seen = new DeviceSighting(at.AddHours(-(i % 48)).AddMinutes(-30),
                            new AtymSecure.Primitives.EquatableMap<string>([KeyValuePair.Create("sensor-filter", i % 3 == 0 ? "1.1.0" : "1.0.0")])),
                    });
                return Devices;
            });
            sink.OnMessage(new Xunit.Sdk.DiagnosticMessage($"seeded {Devices} devices in {watch.Elapsed.TotalSeconds:F1} s"));
        }

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }
}
