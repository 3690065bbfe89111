using System.Net;
using System.Text;
using System.Text.Json;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.OtaStore;
using AtymSecure.Policies.Serving;
using AtymSecure.TestSupport.Ota;

namespace AtymSecure.OtaRollouts.Tests.Policy;

/// <summary>
/// Policy enforcement on deployments through the real host (<c>--policies</c>, problem+json, audit log) on the seeded
/// fleet: each refusal names its rule, file and line and the set's digest; an allowed plan runs; a policy change on disk
/// pauses a running rollout before its next wave, naming the rule; a freeze holds the next wave until it ends; a broken
/// change leaves the last good set serving and <c>/readyz</c> says so; a set never good refuses with 503.
/// </summary>
public sealed class DeploymentPolicyTests : IAsyncLifetime
{
    private readonly PolicyFolder _policies = new();
    private SeededOtaHost _host = null!;
    private Release _signed = null!;

    public async Task InitializeAsync()
    {
        _host = await SeededOtaHost.StartAsync(new SeededOtaHostOptions { Policies = _policies.Path });
        _signed = await _host.Service<IReleaseStore>().AddOrGetAsync(PolicyFolder.SignedRelease("3.0.0"));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _policies.Dispose();
    }

    private PolicySetSource Source => _host.Service<PolicySetSource>();

    private string Serving => Source.State.Serving!.Digest.ToString();

    private static string Request(string releaseId, string group = "eu", int canary = 1, string soak = "30s") =>
        $$"""{"releaseId":"{{releaseId}}","target":{"groups":["{{group}}"]},"canary":{{canary}},"waves":["100%"],"soak":"{{soak}}"}""";

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, string? body = null)
    {
        using var content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json");
        var response = await _host.Client.PostAsync(new Uri(path, UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task<JsonElement> ViewAsync(string id) =>
        JsonDocument.Parse(await _host.Client.GetStringAsync(new Uri($"/api/v1/deployments/{id}", UriKind.Relative))).RootElement.Clone();

    private List<JsonElement> Audit(string action) =>
        [.. _host.Service<IAuditLog>().Page(0, 10_000).Entries.Where(e => e.Action == action).Select(e => JsonDocument.Parse(e.After!).RootElement.Clone())];

    private void AssertRefusal(JsonElement body, HttpStatusCode status, HttpStatusCode expected, string code, string rule, string file, int line)
    {
        Assert.Equal(expected, status);
        Assert.Equal($"https://atym.dev/problems/{code}", body.GetProperty("type").GetString());
        var detail = body.GetProperty("detail").GetString()!;
        Assert.Contains($"denied by {rule} (", detail, StringComparison.Ordinal);
        Assert.Contains($"policy set {Serving}", detail, StringComparison.Ordinal);
        var at = body.GetProperty("errors")[0].GetProperty("at").GetString()!;
        Assert.StartsWith($"{_policies.File(file)}:{line}:", at, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_group_the_policy_does_not_give_the_container_is_refused_naming_the_rule_its_line_and_the_set()
    {
        var (status, body) = await PostAsync("/api/v1/deployments", Request(_signed.Id, group: "us"));

        AssertRefusal(body, status, HttpStatusCode.Forbidden, "deployment-policy-denied", "deployment/us", "deployment.yaml",
            PolicyFolder.LineOf(PolicyFolder.Deployment, "- name: us"));
        Assert.Contains("group us may not receive sensor-filter", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(_host.Service<RolloutService>().List());
        var decision = Assert.Single(Audit("policy.deployment-create"));
        Assert.Equal(("deny", "deployment/us", Serving), (decision.GetProperty("decision").GetString(), decision.GetProperty("rule").GetString(), decision.GetProperty("policySet").GetString()));
    }

    [Fact]
    public async Task A_plan_without_the_mandatory_canary_or_with_too_short_a_soak_is_refused_at_the_rollout_rule()
    {
        var rolloutLine = PolicyFolder.LineOf(PolicyFolder.Deployment, "mandatoryCanary");

        var (status, body) = await PostAsync("/api/v1/deployments", Request(_signed.Id, canary: 0));
        AssertRefusal(body, status, HttpStatusCode.Forbidden, "deployment-policy-denied", "deployment/eu", "deployment.yaml", rolloutLine);
        Assert.Contains("group eu needs a canary wave first", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("a wave of 100% exceeds group eu's maximum of 70%", body.GetProperty("detail").GetString(), StringComparison.Ordinal);

        (status, body) = await PostAsync("/api/v1/deployments", Request(_signed.Id, soak: "10s"));
        AssertRefusal(body, status, HttpStatusCode.Forbidden, "deployment-policy-denied", "deployment/eu", "deployment.yaml", rolloutLine);
        Assert.Contains("the previous wave soaked 10s, group eu needs 30s", body.GetProperty("detail").GetString(), StringComparison.Ordinal);

        (status, body) = await PostAsync("/api/v1/deployments", Request(_signed.Id).Replace("\"soak\"", "\"halt\":{\"failures\":2},\"soak\"", StringComparison.Ordinal));
        AssertRefusal(body, status, HttpStatusCode.Forbidden, "deployment-policy-denied", "deployment/eu", "deployment.yaml", rolloutLine);
        Assert.Contains("halts only at 100% failed, group eu needs a halt at 50% or less", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_release_imported_without_its_signatures_recorded_fails_trust_and_one_asking_for_more_fails_permissions()
    {
        var (status, body) = await PostAsync("/api/v1/deployments", Request(_host.V2.Id));
        AssertRefusal(body, status, HttpStatusCode.Forbidden, "trust-policy-denied", "trust/samples", "trust.yaml", PolicyFolder.LineOf(PolicyFolder.Trust, "- name: samples"));
        Assert.Contains("0 of the 1 required signature by vendor; missing attestation sbom", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("$.releaseId", body.GetProperty("errors")[0].GetProperty("path").GetString());

        var greedy = await _host.Service<IReleaseStore>().AddOrGetAsync(PolicyFolder.SignedRelease("3.1.0", "log", "gpio:7"));
        (status, body) = await PostAsync("/api/v1/deployments", Request(greedy.Id));
        AssertRefusal(body, status, HttpStatusCode.Forbidden, "permission-policy-denied", "permission/sensor-filter", "permissions.yaml",
            PolicyFolder.LineOf(PolicyFolder.Permissions, "- name: sensor-filter"));
        Assert.Contains("sensor-filter asks for gpio:7, which no permission rule grants in group eu", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_allowed_plan_runs_and_its_decision_and_every_rollout_audit_entry_carry_the_sets_digest()
    {
        var (status, created) = await PostAsync("/api/v1/deployments", Request(_signed.Id));

        Assert.Equal(HttpStatusCode.Created, status);
        var view = await ViewAsync(created.GetProperty("id").GetString()!);
        Assert.Equal("running", view.GetProperty("status").GetString());
        var decision = Assert.Single(Audit("policy.deployment-create"));
        Assert.Equal(("allow", Serving), (decision.GetProperty("decision").GetString(), decision.GetProperty("policySet").GetString()));
        var rollout = Audit("rollout.created").Concat(Audit("rollout.device-offered")).ToList();
        Assert.Equal(2, rollout.Count);
        Assert.All(rollout, e => Assert.Equal(Serving, e.GetProperty("policySet").GetString()));
    }

    [Fact]
    public async Task A_policy_change_that_forbids_a_running_rollout_pauses_it_before_its_next_wave_and_a_fix_lets_it_resume()
    {
        var (_, created) = await PostAsync("/api/v1/deployments", Request(_signed.Id));
        var id = created.GetProperty("id").GetString()!;
        var canary = (await ViewAsync(id)).GetProperty("devices").EnumerateArray().Single(d => d.GetProperty("state").GetString() == "offered").GetProperty("deviceId").GetString()!;

        _policies.Write("deployment.yaml", PolicyFolder.Deployment.Replace("containers: [sensor-filter]", "containers: [anomaly-detector]", StringComparison.Ordinal));
        var narrowed = await Source.ReloadAsync();
        Assert.Equal("ready", narrowed.Status);
        await _host.ReportConfirmedAsync(canary, "3.0.0");
        _host.Clock.Advance(TimeSpan.FromSeconds(31));
        await _host.Service<RolloutService>().TickAsync();

        var paused = await ViewAsync(id);
        Assert.Equal("paused", paused.GetProperty("status").GetString());
        var why = paused.GetProperty("timeline").EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "policy-paused").GetProperty("detail").GetString()!;
        Assert.Contains("paused before wave 2", why, StringComparison.Ordinal);
        Assert.Contains($"denied by deployment/eu ({_policies.File("deployment.yaml")}:", why, StringComparison.Ordinal);
        Assert.Contains($"policy set {narrowed.Serving!.Digest}", why, StringComparison.Ordinal);
        Assert.DoesNotContain(paused.GetProperty("devices").EnumerateArray(), d => d.GetProperty("state").GetString() == "offered");

        // Resumed under the same set: asked again, paused again.
        Assert.Equal("paused", (await PostAsync($"/api/v1/deployments/{id}/resume")).Body.GetProperty("status").GetString());

        _policies.Write("deployment.yaml", PolicyFolder.Deployment);
        await Source.ReloadAsync();
        var resumed = await PostAsync($"/api/v1/deployments/{id}/resume");
        Assert.Equal("running", resumed.Body.GetProperty("status").GetString());
        Assert.Equal(2, (await ViewAsync(id)).GetProperty("devices").EnumerateArray().Count(d => d.GetProperty("state").GetString() == "offered"));
    }

    [Fact]
    public async Task A_freeze_holds_the_next_wave_saying_so_once_and_it_starts_when_the_freeze_ends()
    {
        _policies.Write("deployment.yaml", PolicyFolder.Deployment.Replace("""
                    haltFailurePercent: 50
            """, """
                    haltFailurePercent: 50
                  freezes:
                    - from: 2026-12-02T10:10:00Z
                      to: 2026-12-02T12:00:00Z
                      reason: release party
            """, StringComparison.Ordinal));
        Assert.Equal("ready", (await Source.ReloadAsync()).Status);
        // To start inside the freeze: refused at once, naming it.
        var (frozen, refusal) = await PostAsync("/api/v1/deployments", Request(_signed.Id).Replace("\"soak\"", "\"start\":\"2026-12-02T11:00:00Z\",\"soak\"", StringComparison.Ordinal));
        AssertRefusal(refusal, frozen, HttpStatusCode.Forbidden, "deployment-policy-denied", "deployment/eu", "deployment.yaml",
            PolicyFolder.LineOf(File.ReadAllText(_policies.File("deployment.yaml")), "- from:"));
        Assert.Contains("(release party)", refusal.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var (status, created) = await PostAsync("/api/v1/deployments", Request(_signed.Id));
        Assert.Equal(HttpStatusCode.Created, status);
        var id = created.GetProperty("id").GetString()!;
        var canary = (await ViewAsync(id)).GetProperty("devices").EnumerateArray().Single(d => d.GetProperty("state").GetString() == "offered").GetProperty("deviceId").GetString()!;

        _host.Clock.Advance(TimeSpan.FromMinutes(15));
        await _host.ReportConfirmedAsync(canary, "3.0.0");
        _host.Clock.Advance(TimeSpan.FromMinutes(1));
        var service = _host.Service<RolloutService>();
        await service.TickAsync();
        await service.TickAsync();

        var held = await ViewAsync(id);
        Assert.Equal("running", held.GetProperty("status").GetString());
        var waits = held.GetProperty("timeline").EnumerateArray().Where(e => e.GetProperty("kind").GetString() == "policy-wait").ToList();
        var wait = Assert.Single(waits).GetProperty("detail").GetString()!;
        Assert.Contains("group eu is frozen 2026-12-02T10:10:00Z..2026-12-02T12:00:00Z (release party)", wait, StringComparison.Ordinal);
        Assert.Equal(0, held.GetProperty("devices").EnumerateArray().Count(d => d.GetProperty("state").GetString() == "offered"));

        _host.Clock.Advance(TimeSpan.FromHours(2));
        await service.TickAsync();
        Assert.Equal(2, (await ViewAsync(id)).GetProperty("devices").EnumerateArray().Count(d => d.GetProperty("state").GetString() == "offered"));

    }

    [Fact]
    public async Task A_broken_policy_file_leaves_the_last_good_set_serving_and_readyz_says_degraded_with_the_error_until_fixed()
    {
        var good = Serving;
        Assert.Equal("ready", (await ReadyAsync()).Body.GetProperty("status").GetString());

        _policies.Write("deployment.yaml", PolicyFolder.Deployment.Replace("maxWavePercent: 70", "maxWavePercent: lots", StringComparison.Ordinal));
        await Source.ReloadAsync();
        var (status, ready) = await ReadyAsync();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("degraded", ready.GetProperty("status").GetString());
        var policies = ready.GetProperty("policies");
        Assert.Equal(good, policies.GetProperty("policySet").GetString());
        var problem = Assert.Single(policies.GetProperty("lastError").GetProperty("problems").EnumerateArray()).GetString()!;
        Assert.StartsWith($"{_policies.File("deployment.yaml")}:{PolicyFolder.LineOf(PolicyFolder.Deployment, "maxWavePercent")}:", problem, StringComparison.Ordinal);
        // Still deciding with the good set: the us refusal names its digest.
        var (refused, body) = await PostAsync("/api/v1/deployments", Request(_signed.Id, group: "us"));
        Assert.Equal(HttpStatusCode.Forbidden, refused);
        Assert.Contains($"policy set {good}", body.GetProperty("detail").GetString(), StringComparison.Ordinal);

        _policies.Write("deployment.yaml", PolicyFolder.Deployment.Replace("maxWavePercent: 70", "maxWavePercent: 60", StringComparison.Ordinal));
        await Source.ReloadAsync();
        (status, ready) = await ReadyAsync();
        Assert.Equal(("ready", HttpStatusCode.OK), (ready.GetProperty("status").GetString(), status));
        Assert.NotEqual(good, ready.GetProperty("policies").GetProperty("policySet").GetString());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> ReadyAsync()
    {
        using var response = await _host.Client.GetAsync(new Uri("/readyz", UriKind.Relative));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }
}

/// <summary>A policy folder that never held a valid set: <c>/readyz</c> is 503 and every deployment is refused with 503 (enforcement fails closed).</summary>
public sealed class UnavailablePolicyTests
{
    [Fact]
    public async Task Without_a_good_set_readyz_is_503_and_deployments_are_refused_with_policy_unavailable()
    {
        using var policies = new PolicyFolder();
        policies.Write("trust.yaml", PolicyFolder.Trust.Replace("attestations: [sbom]", "attestations: [sbom, selfie]", StringComparison.Ordinal));
        await using var host = await SeededOtaHost.StartAsync(new SeededOtaHostOptions { Policies = policies.Path });

        using var ready = await host.Client.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var state = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("unavailable", state.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("policies").GetProperty("policySet").ValueKind);
        Assert.Contains(state.GetProperty("policies").GetProperty("lastError").GetProperty("problems").EnumerateArray(),
            p => p.GetString()!.StartsWith(policies.File("trust.yaml") + ":", StringComparison.Ordinal));

        using var content = new StringContent($$$"""{"releaseId":"{{{host.V1.Id}}}","target":{"groups":["eu"]}}""", Encoding.UTF8, "application/json");
        using var refused = await host.Client.PostAsync(new Uri("/api/v1/deployments", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("https://atym.dev/problems/policy-unavailable", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString());
    }
}
