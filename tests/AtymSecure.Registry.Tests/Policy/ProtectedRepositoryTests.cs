using System.Net;
using System.Text;
using System.Text.Json;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Registry.Tests.Support;
using AtymSecure.Signer.Attach;
using AtymSecure.Signer.Bundles;
using AtymSecure.Signer.Keys;
using AtymSecure.Signer.Wire;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Registry;
using CsCheck;

namespace AtymSecure.Registry.Tests.Policy;

/// <summary>
/// Issue 15 §3 at the registry, in process on real loopback HTTP: repositories a trust rule covers refuse a tag move
/// to a manifest the rule does not accept, with an OCI DENIED naming the rule, its file and line and the policy set;
/// signatures and attestations are real Sigstore bundles pushed as referrers by the signer and verified from storage.
/// </summary>
public sealed class ProtectedRepositoryTests : IClassFixture<PolicyFixture>, IAsyncLifetime
{
    private readonly PolicyFixture _policy;
    private LoopbackRegistry _registry = null!;

    public ProtectedRepositoryTests(PolicyFixture policy) => _policy = policy;

    public async Task InitializeAsync() => _registry = await _policy.StartRegistryAsync();

    public async Task DisposeAsync() => await _registry.DisposeAsync();

    private HttpClient Client => _registry.Client;

    private static string NewName(string prefix) => $"{prefix}/app-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>Config and layer pushed, the manifest pushed by digest (no tag moves, so no check); returns its descriptor.</summary>
    private async Task<Descriptor> PushByDigestAsync(string name)
    {
        var config = await Client.PushBlobAsync(name, "{}"u8.ToArray());
        var layer = await Client.PushBlobAsync(name, System.Text.Encoding.UTF8.GetBytes(name));
        var manifest = RegistryCalls.ManifestJson(config, 2, [(layer, name.Length)]);
        var digest = Digest.Compute(manifest);
        using var put = await Client.PutManifestAsync(name, digest.ToString(), manifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return new Descriptor { MediaType = MediaTypes.ImageManifest, Digest = digest, Size = manifest.Length };
    }

    private async Task<HttpResponseMessage> TagAsync(string name, Descriptor manifest, string tag)
    {
        var bytes = await _registry.Repository(name).FetchAllAsync(manifest);
        return await Client.PutManifestAsync(name, tag, bytes);
    }

    private async Task SignAsync(string name, Descriptor manifest, SoftwareSigningKey key, bool provenance, bool legacyCosign = false)
    {
        var repository = _registry.Repository(name);
        await ArtifactSigner.SignAsync(repository, manifest, key, name, new SignOptions { LegacyCosign = legacyCosign });
        if (provenance)
            await ArtifactSigner.AttestProvenanceAsync(repository, manifest, key, name, ProvenanceBuilder.Build(new BuildRecord { BuilderId = "https://atym.dev/builders/test@1" }));
    }

    private static async Task<string> DeniedMessageAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = json.RootElement.GetProperty("errors")[0];
        Assert.Equal(ErrorCodes.Denied, error.GetProperty("code").GetString());
        return error.GetProperty("message").GetString()!;
    }

    private async Task AssertTagAbsentAsync(string name, string tag)
    {
        using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{name}/manifests/{tag}"));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    private string PolicySetDigest() => Policies.Loading.PolicySetLoader.LoadFolder(_policy.Folder).Set!.Digest.ToString();

    [Fact]
    public async Task An_unsigned_manifest_cannot_take_a_tag_and_the_refusal_names_rule_file_line_and_policy_set()
    {
        var name = NewName("apps");
        var manifest = await PushByDigestAsync(name);

        using var response = await TagAsync(name, manifest, "v1");

        var message = await DeniedMessageAsync(response);
        Assert.Contains("trust/vendor-apps", message, StringComparison.Ordinal);
        Assert.Contains($"trust.yaml:{_policy.LineOf("vendor-apps")}:", message, StringComparison.Ordinal);
        Assert.Contains("0 of the 1 required signature by vendor", message, StringComparison.Ordinal);
        Assert.Contains("missing attestation slsa-provenance", message, StringComparison.Ordinal);
        Assert.Contains(PolicySetDigest(), message, StringComparison.Ordinal);
        await AssertTagAbsentAsync(name, "v1");
    }

    [Fact]
    public async Task A_first_push_by_tag_is_refused_before_anything_is_stored()
    {
        var name = NewName("apps");
        var config = await Client.PushBlobAsync(name, "{}"u8.ToArray());
        var manifest = RegistryCalls.ManifestJson(config, 2, []);

        using var response = await Client.PutManifestAsync(name, "v1", manifest);

        Assert.Contains("trust/vendor-apps", await DeniedMessageAsync(response), StringComparison.Ordinal);
        await AssertTagAbsentAsync(name, "v1");
        await AssertTagAbsentAsync(name, Digest.Compute(manifest).ToString());
    }

    [Fact]
    public async Task A_signature_by_a_key_the_rule_does_not_trust_counts_for_nothing()
    {
        var name = NewName("apps");
        var manifest = await PushByDigestAsync(name);
        // A valid signature and provenance, by a key the policy knows but trusts only for others/*.
        await SignAsync(name, manifest, _policy.Other, provenance: true);

        using var response = await TagAsync(name, manifest, "v1");

        var message = await DeniedMessageAsync(response);
        Assert.Contains("trust/vendor-apps", message, StringComparison.Ordinal);
        Assert.Contains("0 of the 1 required signature by vendor", message, StringComparison.Ordinal);
        Assert.Contains("did not verify under the keys vendor-apps trusts", message, StringComparison.Ordinal);
        await AssertTagAbsentAsync(name, "v1");
    }

    [Fact]
    public async Task Signed_without_the_required_attestation_is_refused_naming_it()
    {
        var name = NewName("apps");
        var manifest = await PushByDigestAsync(name);
        await SignAsync(name, manifest, _policy.Vendor, provenance: false);

        using var response = await TagAsync(name, manifest, "v1");

        var message = await DeniedMessageAsync(response);
        Assert.Contains("missing attestation slsa-provenance", message, StringComparison.Ordinal);
        Assert.DoesNotContain("required signature", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signed_by_the_trusted_key_with_the_required_attestation_takes_the_tag()
    {
        var name = NewName("apps");
        var manifest = await PushByDigestAsync(name);
        // The legacy cosign layout pushes a sha256-HEX.sig tag into the protected repository: signature tags are exempt.
        await SignAsync(name, manifest, _policy.Vendor, provenance: true, legacyCosign: true);

        using var response = await TagAsync(name, manifest, "v1");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(manifest.Digest, (await _registry.Repository(name).ResolveAsync("v1")).Digest);
        Assert.False(response.Headers.Contains("Warning"));
    }

    [Fact]
    public async Task At_level_audit_an_unsigned_manifest_takes_the_tag_with_a_warning_naming_the_rule()
    {
        var name = NewName("audited");
        var manifest = await PushByDigestAsync(name);

        using var response = await TagAsync(name, manifest, "v1");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var warning = RegistryCalls.Header(response, "Warning");
        Assert.StartsWith("299 - \"audit: accepted", warning, StringComparison.Ordinal);
        Assert.Contains("trust/audited", warning, StringComparison.Ordinal);
        Assert.Contains($"trust.yaml:{_policy.LineOf("audited")}:", warning, StringComparison.Ordinal);
        Assert.Contains("0 of the 1 required signature by vendor", warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unlisted")] // no rule's scope covers it: not protected
    [InlineData("loose")]    // level skip
    public async Task Repositories_no_enforcing_rule_covers_take_unsigned_tags(string prefix)
    {
        var name = NewName(prefix);
        var manifest = await PushByDigestAsync(name);

        using var response = await TagAsync(name, manifest, "v1");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.False(response.Headers.Contains("Warning"));
    }

    [Fact]
    public async Task Pushes_by_digest_move_no_tag_and_are_not_checked()
    {
        var name = NewName("apps");
        var manifest = await PushByDigestAsync(name);

        Assert.Equal(manifest.Digest, (await _registry.Repository(name).ResolveAsync(manifest.Digest.ToString())).Digest);
    }

    [Fact]
    public async Task Every_tag_of_a_push_is_judged_together()
    {
        var name = NewName("apps");
        var manifest = await PushByDigestAsync(name);
        var bytes = await _registry.Repository(name).FetchAllAsync(manifest);

        using var response = await Client.PutManifestAsync(name, $"{manifest.Digest}?tag=v1&tag=latest", bytes);

        Assert.Contains("tag v1, latest of", await DeniedMessageAsync(response), StringComparison.Ordinal);
        await AssertTagAbsentAsync(name, "latest");
    }

    /// <summary>
    /// The guard reads referrers anyone with push rights may have stored: a bundle signed by the trusted key with random
    /// bytes changed, or random bytes outright. The tag move is always a clear 403 DENIED (the rule also needs SLSA
    /// provenance, which no mutation of a plain signature supplies), never a server error and never accepted.
    /// </summary>
    [Fact]
    public async Task Damaged_or_random_bundles_as_referrers_always_give_a_clear_denial()
    {
        var client = Client;
        var name = "apps/hostile";
        var config = await client.PushBlobAsync(name, "{}"u8.ToArray());
        var counter = 0;
        var mutation = Gen.Select(Gen.Int[0, int.MaxValue], Gen.Byte, Gen.Int[1, 8]);
        var hostile = Gen.OneOf(mutation.Select(m => (Mutate: true, m.Item1, m.Item2, m.Item3, Random: Array.Empty<byte>())),
            Gen.Byte.Array[0, 2000].Select(bytes => (Mutate: false, 0, (byte)0, 0, Random: bytes)));
        await hostile.SampleAsync(async sample =>
        {
            var layer = await client.PushBlobAsync(name, Encoding.UTF8.GetBytes($"layer {Interlocked.Increment(ref counter)}"));
            var manifest = RegistryCalls.ManifestJson(config, 2, [(layer, $"layer {counter}".Length)]);
            var digest = Digest.Compute(manifest);
            using (var byDigest = await client.PutManifestAsync(name, digest.ToString(), manifest)) Assert.Equal(HttpStatusCode.Created, byDigest.StatusCode);

            byte[] bundle;
            if (sample.Mutate)
            {
                bundle = (await BundleFactory.CreateDsseAsync(_policy.Vendor, Statements.ForSignature(digest, name))).ToJson();
                var random = new Random(sample.Item2);
                for (var i = 0; i < sample.Item4; i++) bundle[random.Next(bundle.Length)] ^= (byte)(sample.Item3 | 1);
            }
            else bundle = sample.Random;
            var bundleDigest = await client.PushBlobAsync(name, bundle);
            var referrer = Encoding.UTF8.GetBytes(
                $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.ImageManifest}\",\"artifactType\":\"{BundleMediaTypes.V03}\"," +
                $"\"config\":{{\"mediaType\":\"{MediaTypes.EmptyJson}\",\"digest\":\"{config}\",\"size\":2}}," +
                $"\"layers\":[{{\"mediaType\":\"{BundleMediaTypes.V03}\",\"digest\":\"{bundleDigest}\",\"size\":{bundle.Length}}}]," +
                $"\"subject\":{RegistryCalls.DescriptorJson(MediaTypes.ImageManifest, digest, manifest.Length)}}}");
            using (var attach = await client.PutManifestAsync(name, Digest.Compute(referrer).ToString(), referrer)) Assert.Equal(HttpStatusCode.Created, attach.StatusCode);

            using var tag = await client.PutManifestAsync(name, "v1", manifest);

            Assert.True(tag.StatusCode == HttpStatusCode.Forbidden, $"{(int)tag.StatusCode}: {await tag.Content.ReadAsStringAsync()}");
            Assert.Equal(ErrorCodes.Denied, await RegistryCalls.ErrorCodeAsync(tag));
        }, iter: 40, threads: 1);
    }
}
