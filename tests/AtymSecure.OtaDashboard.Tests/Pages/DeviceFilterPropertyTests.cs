using AtymSecure.OtaContracts;
using AtymSecure.OtaDashboard.Pages;
using CsCheck;
using Microsoft.AspNetCore.WebUtilities;

namespace AtymSecure.OtaDashboard.Tests.Pages;

/// <summary>
/// The fleet page's query string (<see cref="DeviceFilter"/>) is untrusted text: for any values, <see cref="DeviceFilter.ToQuery"/>
/// either gives a store query whose names keep the name grammar, or refuses with a typed 400 <c>filter-invalid</c> naming
/// the field — never another exception. An accepted filter's paging link reads back as the same query. Counts capped for the suite.
/// </summary>
public sealed class DeviceFilterPropertyTests
{
    private static readonly string[] Fields = ["q", "group", "tag", "class", "state", "version", "seen", "unseen"];
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static readonly Gen<DeviceFilter> Filters = Gen.Select(
        Gen.Select(DashboardInputGen.Optional, DashboardInputGen.Optional, DashboardInputGen.Optional, DashboardInputGen.Optional),
        Gen.Select(DashboardInputGen.Optional, DashboardInputGen.Optional, DashboardInputGen.Optional, DashboardInputGen.Optional))
        .Select((a, b) => new DeviceFilter(a.Item1, a.Item2, a.Item3, a.Item4, b.Item1, b.Item2, b.Item3, b.Item4));

    [Fact]
    public void Any_query_string_is_a_store_query_or_a_refusal_naming_its_field()
    {
        Filters.Sample(filter =>
        {
            AtymSecure.OtaStore.DeviceQuery query;
            try
            {
                query = filter.ToQuery(Now);
            }
            catch (OtaProblemException e)
            {
                var problem = Assert.Single(e.Problems);
                Assert.Equal((400, DashboardProblemCodes.FilterInvalid), (e.Status, problem.Code));
                Assert.Contains(problem.Path, Fields);
                return;
            }
            Assert.True(query.SeenBefore is null || query.SeenBefore <= Now, "not seen for a negative time");
            Assert.True(query.SeenSince is null || query.SeenSince <= Now, "seen within a negative time");
            foreach (var name in new[] { query.IdPrefix, query.Group, query.TagKey, query.DeviceClass, query.Container, query.ContainerVersion })
                Assert.True(name is null || AtymSecure.OtaDashboard.Endpoints.FleetEndpoints.Name().IsMatch(name), $"'{name}' passed the filter");
            // The next-page link carries the same filter.
            var parsed = QueryHelpers.ParseQuery(filter.QueryString("dev-000049"));
            string? Field(string key) => parsed.TryGetValue(key, out var v) ? v.ToString() : null;
            Assert.Equal("dev-000049", Field("after"));
            Assert.Equal(query, new DeviceFilter(Field("q"), Field("group"), Field("tag"), Field("class"), Field("state"), Field("version"), Field("seen"), Field("unseen")).ToQuery(Now));
        }, iter: 3000);
    }

    [Theory]
    [InlineData("state", "sleeping")]
    [InlineData("tag", "=lab")]
    [InlineData("tag", "si te=lab")]
    [InlineData("version", "sensor-filter")]
    [InlineData("version", "sensor-filter=")]
    [InlineData("version", "=1.0.0")]
    [InlineData("seen", "yesterday")]
    [InlineData("seen", "-1h")]
    [InlineData("unseen", "3651d")]
    public void A_bad_field_is_named(string field, string value)
    {
        string? F(string name) => name == field ? value : null;
        var refused = Assert.Throws<OtaProblemException>(() => new DeviceFilter(null, null, F("tag"), null, F("state"), F("version"), F("seen"), F("unseen")).ToQuery(Now));
        Assert.Equal(field, refused.Problems.Single().Path);
    }

    [Fact]
    public void Version_and_last_seen_become_the_store_query()
    {
        var query = new DeviceFilter(null, null, null, null, null, " sensor-filter=1.1.0 ", "24h", "90m").ToQuery(Now);
        Assert.Equal(new AtymSecure.OtaStore.DeviceQuery(Container: "sensor-filter", ContainerVersion: "1.1.0", SeenBefore: Now.AddMinutes(-90), SeenSince: Now.AddHours(-24)), query);
    }
}
