using System.Net;
using System.Text;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Registry.Tests.Support;
using AtymSecure.Signer.Bundles;
using AtymSecure.Signer.Wire;
using AtymSecure.TestSupport.Registry;
using CsCheck;

namespace AtymSecure.Registry.Tests.Policy;

/// <summary>
/// The guard reads referrers anyone with push rights may have stored: a bundle signed by the trusted key with random
/// bytes changed, or random bytes outright, attached to a manifest of a protected repository. The tag move is always
/// a clear 403 DENIED (the rule also needs SLSA provenance, which no mutation of a plain signature can supply), never a
/// server error and never accepted.
/// </summary>
public sealed class HostileReferrerTests : IClassFixture<PolicyFixture>, IAsyncLifetime
{
    private readonly PolicyFixture _policy;
    private LoopbackRegistry _registry = null!;

    public HostileReferrerTests(PolicyFixture policy) => _policy = policy;

    public async Task InitializeAsync() => _registry = await _policy.StartRegistryAsync();

    public async Task DisposeAsync() => await _registry.DisposeAsync();

    [Fact]
    public async Task Damaged_or_random_bundles_as_referrers_always_give_a_clear_denial()
    {
        var client = _registry.Client;
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
