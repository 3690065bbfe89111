using AtymSecure.OtaDashboard.Pages;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.Primitives;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace AtymSecure.OtaDashboard.Tests.Pages;

/// <summary>
/// The new-deployment form post (<see cref="DeploymentForm"/>) is untrusted: for any field values (and any unknown fields),
/// <see cref="DeploymentForm.Read"/> then <see cref="DeploymentForm.ToRequest"/> either gives the API's request or refuses
/// with a <see cref="ProblemException"/> whose every problem names a member of the API's request (<c>$.canary</c>,
/// <c>$.target.tags</c>, <c>$.waves[0]</c>) — never another exception. Counts capped for the suite.
/// </summary>
public sealed class DeploymentFormPropertyTests
{
    private static readonly string[] FormFields =
        ["releaseId", "groups", "tags", "deviceClass", "devices", "canary", "waves", "soak", "haltFailures", "haltRatio", "rollbackOnHalt", "requireApproval"];

    /// <summary>The members of <see cref="DeploymentRequest"/>'s JSON a problem may name.</summary>
    private static readonly string[] RequestMembers =
        ["releaseId", "target", "targeting", "canary", "waves", "soak", "halt", "deviceTimeout", "retries", "retryBackoff", "rollbackOnHalt", "forced",
            "requireApproval", "via", "maxConcurrentDownloads", "start", "end", "timeZone", "windows"];

    private static readonly Gen<FormCollection> Forms = Gen.Select(
        Gen.Select(DashboardInputGen.Pick(FormFields), DashboardInputGen.Text).Array[0, FormFields.Length + 3],
        Gen.Bool).Select((fields, stray) =>
    {
        var values = new Dictionary<string, StringValues>(StringComparer.Ordinal);
        foreach (var (name, value) in fields) values[name] = values.TryGetValue(name, out var had) ? StringValues.Concat(had, value) : new StringValues(value);
        if (stray) values["_csrf"] = "x"; // fields the form does not know are ignored
        return new FormCollection(values);
    });

    [Fact]
    public void Any_form_post_is_the_APIs_request_or_refusals_naming_its_members()
    {
        Forms.Sample(form =>
        {
            var typed = DeploymentForm.Read(form);
            try
            {
                Assert.NotNull(typed.ToRequest());
            }
            catch (ProblemException e)
            {
                Assert.NotEmpty(e.Problems);
                foreach (var p in e.Problems)
                {
                    Assert.False(string.IsNullOrEmpty(p.Code), $"a problem without a code: {p}");
                    Assert.StartsWith("$.", p.Path, StringComparison.Ordinal);
                    var member = p.Path[2..].Split('.', '[')[0];
                    Assert.True(RequestMembers.Contains(member), $"'{p.Path}' names no member of the request ({p.Message})");
                }
            }
        }, iter: 3000);
    }

    [Fact]
    public void A_typed_form_becomes_the_request_and_bad_numbers_are_named()
    {
        var ok = new DeploymentForm("rel-0123456789abcdef", Groups: "eu, us", Tags: "site=lab", Canary: "2", Waves: "50% 100%", HaltFailures: "1").ToRequest();
        Assert.Equal(["eu", "us"], ok.Target!.Groups!);
        Assert.Equal(("lab", 2, 1), (ok.Target.Tags!["site"], ok.Canary, ok.Halt!.Failures));
        var refused = Assert.Throws<ProblemException>(() => new DeploymentForm("rel-0123456789abcdef", Groups: "eu", Canary: "two", Tags: "lab", HaltFailures: "-1").ToRequest());
        Assert.Equal(["$.target.tags", "$.canary", "$.halt.failures"], refused.Problems.Select(p => p.Path));
    }
}
