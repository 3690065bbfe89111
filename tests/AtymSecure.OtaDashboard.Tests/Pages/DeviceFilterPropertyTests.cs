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
    private static readonly string[] Fields = ["q", "group", "tag", "class", "state"];

    private static readonly Gen<DeviceFilter> Filters = Gen.Select(DashboardInputGen.Optional, DashboardInputGen.Optional, DashboardInputGen.Optional,
        DashboardInputGen.Optional, DashboardInputGen.Optional).Select((q, g, t, c, s) => new DeviceFilter(q, g, t, c, s));

    [Fact]
    public void Any_query_string_is_a_store_query_or_a_refusal_naming_its_field()
    {
        Filters.Sample(filter =>
        {
            AtymSecure.OtaStore.DeviceQuery query;
            try
            {
                query = filter.ToQuery();
            }
            catch (OtaProblemException e)
            {
                var problem = Assert.Single(e.Problems);
                Assert.Equal((400, DashboardProblemCodes.FilterInvalid), (e.Status, problem.Code));
                Assert.Contains(problem.Path, Fields);
                return;
            }
            foreach (var name in new[] { query.IdPrefix, query.Group, query.TagKey, query.DeviceClass })
                Assert.True(name is null || AtymSecure.OtaDashboard.Endpoints.FleetEndpoints.Name().IsMatch(name), $"'{name}' passed the filter");
            // The next-page link carries the same filter.
            var parsed = QueryHelpers.ParseQuery(filter.QueryString("dev-000049"));
            string? Field(string key) => parsed.TryGetValue(key, out var v) ? v.ToString() : null;
            Assert.Equal("dev-000049", Field("after"));
            Assert.Equal(query, new DeviceFilter(Field("q"), Field("group"), Field("tag"), Field("class"), Field("state")).ToQuery());
        }, iter: 3000);
    }

    [Theory]
    [InlineData("sleeping", null, "state")]
    [InlineData(null, "=lab", "tag")]
    [InlineData(null, "si te=lab", "tag")]
    public void A_bad_field_is_named(string? state, string? tag, string field)
    {
        var refused = Assert.Throws<OtaProblemException>(() => new DeviceFilter(null, null, tag, null, state).ToQuery());
        Assert.Equal(field, refused.Problems.Single().Path);
    }
}
