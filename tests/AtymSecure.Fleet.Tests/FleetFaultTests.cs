using AtymSecure.Primitives;
using CsCheck;

namespace AtymSecure.Fleet.Tests;

/// <summary><c>--fault KIND:SHARE[:ARG]</c>: what parses, what is refused with which code, and which devices a share hits.</summary>
public sealed class FleetFaultTests
{
    [Theory]
    [InlineData("failing-health:25%", FleetFaultKind.FailingHealth, 25.0, null, 0.0)]
    [InlineData("power-cut-install:2", FleetFaultKind.PowerCutInstall, null, 2, 0.0)]
    [InlineData("slow-link:50%:32KiB", FleetFaultKind.SlowLink, 50.0, null, 32768.0)]
    [InlineData("slow-link:1", FleetFaultKind.SlowLink, null, 1, 65536.0)]
    [InlineData("offline:10%:2m", FleetFaultKind.Offline, 10.0, null, 120.0)]
    [InlineData("offline:3:500ms", FleetFaultKind.Offline, null, 3, 0.5)]
    [InlineData("power-cut-download:100%", FleetFaultKind.PowerCutDownload, 100.0, null, 0.0)]
    public void Parses_kind_share_and_argument(string text, FleetFaultKind kind, double? percent, int? count, double argument) =>
        Assert.Equal(new FleetFault(kind, percent, count, argument), FleetFault.Parse(text));

    [Theory]
    [InlineData("meteor:1", FleetFaultProblemCodes.UnknownKind)]
    [InlineData("failing-health", FleetFaultProblemCodes.InvalidShare)]
    [InlineData("failing-health:101%", FleetFaultProblemCodes.InvalidShare)]
    [InlineData("failing-health:-1", FleetFaultProblemCodes.InvalidShare)]
    [InlineData("failing-health:many", FleetFaultProblemCodes.InvalidShare)]
    [InlineData("failing-health:1:2:3", FleetFaultProblemCodes.InvalidShare)]
    [InlineData("failing-health:1:30s", FleetFaultProblemCodes.InvalidArgument)]
    [InlineData("slow-link:1:fast", FleetFaultProblemCodes.InvalidArgument)]
    [InlineData("slow-link:1:0KiB", FleetFaultProblemCodes.InvalidArgument)]
    [InlineData("offline:1:forever", FleetFaultProblemCodes.InvalidArgument)]
    public void Refuses_with_a_typed_problem_at_the_option(string text, string code)
    {
        var e = Assert.Throws<ProblemException>(() => FleetFault.Parse(text));
        var problem = Assert.Single(e.Problems);
        Assert.Equal((code, "--fault"), (problem.Code, problem.Path));
    }

    [Theory]
    [InlineData("failing-health:25%", 8, 2)]
    [InlineData("failing-health:1", 8, 1)]
    [InlineData("failing-health:0%", 8, 0)]
    [InlineData("failing-health:100%", 8, 8)]
    [InlineData("failing-health:20", 8, 8)]
    [InlineData("slow-link:33%", 12, 4)]
    public void A_share_hits_that_many_devices(string text, int devices, int hit) =>
        Assert.Equal(hit, Enumerable.Range(0, devices).Count(i => FleetFault.Parse(text).Hits(i, devices)));

    [Fact]
    public void One_fault_of_each_kind_lands_on_its_own_device_in_a_fleet_of_five()
    {
        var faults = FleetFault.Names.Keys.Select(k => FleetFault.Parse(k + ":1")).ToList();
        var hits = faults.Select(f => Enumerable.Range(0, 5).Single(i => f.Hits(i, 5))).ToList();
        Assert.Equal(5, hits.Distinct().Count());
    }

    [Fact]
    public void Any_text_parses_or_is_refused_with_a_problem_and_never_throws_anything_else()
    {
        string[] names = [.. FleetFault.Names.Keys, "", "x", "offline:"];
        var kinds = Gen.Int[0, names.Length - 1].Select(i => names[i]);
        var tails = Gen.String[Gen.Char["0123456789:%KiBMsm.-x"], 0, 12];
        Gen.Select(kinds, tails).Sample((kind, tail) =>
        {
            try
            {
                var fault = FleetFault.Parse(kind + tail);
                Assert.True(fault.Count is >= 0 || fault.Percent is >= 0 and <= 100);
                Assert.True(fault.Argument >= 0);
            }
            catch (ProblemException e)
            {
                Assert.All(e.Problems, p => Assert.Equal("--fault", p.Path));
            }
        }, iter: 2000);
    }
}
