using System.Net;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Registry.Tests.Support;
using AtymSecure.Policies.Loading;
using AtymSecure.Policies.Serving;
using AtymSecure.Registry.Hosting;
using AtymSecure.RegistryPolicy;
using Microsoft.AspNetCore.Builder;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Registry.Tests.Policy;

/// <summary>
/// A running registry follows its policy folder (issue 15 §3, reload): a broken change leaves the last good set deciding,
/// a good change is picked up atomically. Each test owns its policy folder (it rewrites it). Reloads are awaited on the
/// registry's own <see cref="PolicySetSource"/> (its generation), never slept for.
/// </summary>
public sealed class PolicyReloadTests
{
    [Fact]
    public async Task A_broken_policy_file_leaves_the_good_set_deciding_and_a_fixed_one_is_picked_up()
    {
        using var policy = new PolicyFixture();
        await using var registry = await policy.StartRegistryAsync();
        var source = registry.GetService<PolicySetSource>();
        var good = source.State;
        Assert.Equal("ready", good.Status);
        var name = "apps/reloaded";
        var manifest = await PushByDigestAsync(registry, name);
        using (var denied = await TagAsync(registry, name, manifest, "v1")) Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);

        // Broken: refused, reported, and the good set keeps deciding (the unsigned tag move is still denied).
        var broken = await ChangeAsync(source, () => File.WriteAllText(Path.Combine(policy.Folder, "trust.yaml"), policy.TrustYaml.Replace("keys: [vendor]\n      attestations", "keys: vendor\n      attestations", StringComparison.Ordinal)));
        Assert.Equal("degraded", broken.Status);
        Assert.Same(good.Serving, broken.Serving);
        Assert.Contains(broken.LastFailure!.Problems, p => p.ToString().Contains("trust.yaml:", StringComparison.Ordinal));
        using (var still = await TagAsync(registry, name, manifest, "v1")) Assert.Equal(HttpStatusCode.Forbidden, still.StatusCode);

        // Fixed, now at level skip for apps/*: picked up, and the same tag move is accepted.
        var relaxed = policy.TrustYaml.Replace("attestations: [slsa-provenance]", "attestations: [slsa-provenance]\n      level: skip", StringComparison.Ordinal);
        var fixedState = await ChangeAsync(source, () => File.WriteAllText(Path.Combine(policy.Folder, "trust.yaml"), relaxed));
        Assert.Equal("ready", fixedState.Status);
        Assert.NotEqual(good.Serving!.Digest, fixedState.Serving!.Digest);
        using var accepted = await TagAsync(registry, name, manifest, "v1");
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
    }

    [Fact]
    public async Task The_folder_is_read_once_into_the_source_the_host_serves_and_the_guard_decides_with()
    {
        using var policy = new PolicyFixture();
        var checkedSet = PolicySetLoader.LoadFolder(policy.Folder).Set!;
        var options = new RegistryOptions { PolicyDirectory = policy.Folder, RegistryName = PolicyFixture.RegistryName };
        var configure = RegistryPolicyGuard.Configure(options)!;
        // Changed on disk after the check and before the host starts: the host serves the set that was checked.
        var relaxed = policy.TrustYaml.Replace("attestations: [slsa-provenance]", "attestations: [slsa-provenance]\n      level: skip", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(policy.Folder, "trust.yaml"), relaxed);
        await using var registry = await LoopbackRegistry.StartAsync(o => o with { PolicyDirectory = options.PolicyDirectory, RegistryName = options.RegistryName }, configure);
        var source = registry.GetService<PolicySetSource>();
        Assert.Equal((checkedSet.Digest, 1L), (source.State.Serving!.Digest, source.State.Generation));
        var name = "apps/read-once";
        var manifest = await PushByDigestAsync(registry, name);
        using (var denied = await TagAsync(registry, name, manifest, "v1")) Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);

        // Reloading that source (the one the host serves) is what changes the guard's decisions: it is the same source.
        Assert.Equal("ready", source.Reload().Status);
        Assert.NotEqual(checkedSet.Digest, source.State.Serving!.Digest);
        using var accepted = await TagAsync(registry, name, manifest, "v1");
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
    }

    [Fact]
    public void The_guard_s_builder_action_serves_one_host()
    {
        using var policy = new PolicyFixture();
        var configure = RegistryPolicyGuard.Configure(new RegistryOptions { PolicyDirectory = policy.Folder, RegistryName = PolicyFixture.RegistryName })!;
        configure(WebApplication.CreateBuilder());

        var second = Assert.Throws<InvalidOperationException>(() => configure(WebApplication.CreateBuilder()));

        Assert.Contains("already serves a host", second.Message, StringComparison.Ordinal);
    }

    private static async Task<PolicyState> ChangeAsync(PolicySetSource source, Action change)
    {
        var before = source.State.Generation;
        change();
        // The watcher's debounce coalesces the write's events into one reload (or more: wait for the one after the change).
        await Wait.UntilAsync(() => source.State.Generation > before, "the registry's policy source to reload", TimeSpan.FromSeconds(30));
        return source.State;
    }

    private static async Task<Descriptor> PushByDigestAsync(LoopbackRegistry registry, string name)
    {
        var config = await registry.Client.PushBlobAsync(name, "{}"u8.ToArray());
        var layer = await registry.Client.PushBlobAsync(name, System.Text.Encoding.UTF8.GetBytes(name));
        var manifest = RegistryCalls.ManifestJson(config, 2, [(layer, name.Length)]);
        var digest = Digest.Compute(manifest);
        using var put = await registry.Client.PutManifestAsync(name, digest.ToString(), manifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return new Descriptor { MediaType = MediaTypes.ImageManifest, Digest = digest, Size = manifest.Length };
    }

    private static async Task<HttpResponseMessage> TagAsync(LoopbackRegistry registry, string name, Descriptor manifest, string tag) =>
        await registry.Client.PutManifestAsync(name, tag, await registry.Repository(name).FetchAllAsync(manifest));
}
