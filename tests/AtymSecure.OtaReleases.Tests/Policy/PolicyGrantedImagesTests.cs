using System.Text.Json;
using AtymSecure.Delivery.Tests.Support;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.ContainerImage;
using AtymSecure.Formats.Crypto;
using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.OtaReleases.Policy;
using AtymSecure.OtaReleases.Tests.Support;
using AtymSecure.OtaStore;
using AtymSecure.OtaStore.LiteDb;
using AtymSecure.Policies.Serving;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Policies;

namespace AtymSecure.OtaReleases.Tests.Policy;

/// <summary>
/// The grants a device's image carries come from the permission policy for the device's groups (issue 15 §3
/// "Device"), on the real signed samples, the real cutter and the real LiteDB audit log: a group allowed everything the
/// container asks for gets the release's own image; a group allowed less gets a variant image, cut once, whose grants
/// (read back from the image itself) are the narrowed set, whose cut key carries them, and which the plan and the
/// director target name; a policy that narrows further takes effect at the next resolution; no serving set is a gap.
/// </summary>
public sealed class PolicyGrantedImagesTests(ReleasedSamples samples) : IClassFixture<ReleasedSamples>, IDisposable
{
    private const string Class = "linux-x86_64";
    private readonly TempFolder _folder = TempFolder.Create("granted-images");
    private readonly List<IDisposable> _owned = [];

    private static string Permissions(string fieldCapabilities) => FleetPolicies.Permissions(
        new FleetPermission("sensor-filter-lab", "sensor-filter", "lab", "log, \"sensor:temp0\", \"publish:telemetry/*\""),
        new FleetPermission("sensor-filter-field", "sensor-filter", "field", fieldCapabilities));

    private static readonly string Deployment = FleetPolicies.Deployment(new FleetGroup("lab", "sensor-filter"), new FleetGroup("field", "sensor-filter"));

    private (PolicyGrantedImages Images, PolicySetSource Source, LiteDbAuditLog Audit, BundleFileStore Files) Start(string permissions)
    {
        var policies = _folder.Folder("policies");
        FleetPolicies.Write(policies, deployment: Deployment, permissions: permissions);
        var source = new PolicySetSource(policies);
        _owned.Add(source);
        Assert.True(source.State.IsReady, string.Join("\n", source.State.LastFailure?.Problems ?? []));
        var database = new OtaDatabase(_folder.Folder("data"));
        _owned.Add(database);
        var audit = new LiteDbAuditLog(database);
        var files = new BundleFileStore(_folder.Folder("bundles"));
        var gate = new OtaPolicyGate(source, audit, new FixedTime(SignedSampleStore.Now));
        return (new PolicyGrantedImages(gate, samples.Cutter, files, publisher: null), source, audit, files);
    }

    private static DeviceView Device(params string[] groups) => new("atym-0011223344556677", Class, EquatableMap<string>.Empty) { Groups = [.. groups] };

    /// <summary>The bundle verified under the compiler key as a device would, and the image it installs.</summary>
    private async Task<(ContainerImage Image, BundleHeader Header)> ReadImageAsync(BundleFileStore files, BundleLocation location)
    {
        await using var stream = files.Find(location.Sha256)!.OpenRead();
        var envelope = await BundleEnvelope.ReadAsync(stream);
        var key = await samples.World.CompilerKey.GetAsync(Class);
        var verified = BundleVerifier.Verify(envelope, BundleTrustAnchors.Of(TrustedBundleKey.Compiler(VerificationKey.FromDer(key.PublicKeySpki.Span))),
            new BundleExpectations(Class, SignedSampleStore.Now.AddDays(1), 0, 64 << 20, null));
        using var payload = new MemoryStream();
        await verified.OpenPayload(stream).CopyToAsync(payload);
        Assert.Equal(verified.Header.TargetDigest, Digest.Compute(payload.ToArray()));
        return (ContainerImageReader.Read(payload.ToArray()), verified.Header);
    }

    [Fact]
    public async Task A_group_allowed_everything_gets_the_release_s_own_image()
    {
        var (images, _, audit, _) = Start(Permissions("log, \"sensor:temp0\", \"publish:telemetry/temp\""));

        var granted = await images.ForDeviceAsync(samples.V100, Device("field"));

        Assert.Null(granted.Gap);
        Assert.Same(samples.V100, granted.Release);
        Assert.Equal(0, images.VariantCount);
        Assert.DoesNotContain(audit.Page(0, 100).Entries, e => e.Action == "policy.grants");
    }

    [Fact]
    public async Task A_group_allowed_less_gets_a_variant_image_carrying_only_what_the_policy_allows_cut_once_and_audited_with_the_set()
    {
        var (images, source, audit, files) = Start(Permissions("log, \"sensor:temp0\""));
        var own = samples.V100.ImageFor(Class)!;
        Assert.Equal(["log", "sensor:temp0", "publish:telemetry/temp"], own.Grants);

        var first = await images.ForDeviceAsync(samples.V100, Device("field"));
        var again = await images.ForDeviceAsync(samples.V100, Device("field", "lab"));

        var variant = first.Release!.ImageFor(Class)!;
        Assert.Equal(["log", "sensor:temp0"], variant.Grants);
        Assert.NotEqual(own.ImageDigest, variant.ImageDigest);
        Assert.Equal((own.OutputDigest, own.CodeKind), (variant.OutputDigest, variant.CodeKind));
        Assert.Equal(variant, again.Release!.ImageFor(Class));
        Assert.Equal(1, images.VariantCount);

        // The cut is indexed under a key whose grants are the narrowed ones, and the image in it grants exactly those.
        var cut = Assert.Single(files.CutsFor(samples.V100.Id));
        Assert.Equal(new BundleCutKey(null, samples.V100.Id, variant.ImageDigest, Class, ["log", "sensor:temp0"]), cut.Key);
        var (image, header) = await ReadImageAsync(files, cut.Bundle);
        Assert.Equal(["log", "sensor:temp0"], image.Grants.Select(g => g.ToString()));
        Assert.Equal(["log", "sensor:temp0", "publish:telemetry/temp"], image.Config.Permissions.Select(p => p.ToString()));
        Assert.Equal((variant.ImageDigest, variant.ImageLength), (header.TargetDigest.ToString(), header.TargetSize));

        var entry = Assert.Single(audit.Page(0, 100).Entries, e => e.Action == "policy.grants");
        Assert.Equal($"release/{samples.V100.Id}/{Class}", entry.Subject);
        var after = JsonDocument.Parse(entry.After!).RootElement;
        Assert.Equal(source.State.Serving!.Digest.ToString(), after.GetProperty("policySet").GetString());
        Assert.Equal(variant.ImageDigest, after.GetProperty("image").GetString());
        var withheld = Assert.Single(after.GetProperty("withheld").EnumerateArray());
        Assert.Equal(("publish:telemetry/temp", "field"), (withheld.GetProperty("permission").GetString(), withheld.GetProperty("group").GetString()));
        Assert.StartsWith($"{_folder.File("policies/permissions.yaml")}:{FleetPolicies.LineOf(Permissions("x"), "- name: sensor-filter-field")}:",
            withheld.GetProperty("at").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_plan_names_the_variant_so_the_director_target_and_the_bundle_carry_the_policy_s_grants_and_a_narrowing_takes_effect_at_the_next_resolution()
    {
        var (images, source, _, files) = Start(Permissions("log, \"sensor:temp0\", \"publish:telemetry/temp\""));
        var releases = new MemoryReleaseStore();
        await releases.AddOrGetAsync(samples.V100);
        var assignments = new MemoryAssignmentStore();
        var device = Device("field");
        await assignments.SetAsync(new Assignment(device.DeviceId, "sensor-filter", samples.V100.Id, SignedSampleStore.Now, "test"));
        using var cuts = new BundleCutCache(files, samples.Cutter);
        var resolver = new DesiredStateResolver(assignments, releases, cuts, grants: images);

        var before = Assert.Single((await resolver.ResolveAsync(device)).Containers);
        Assert.Equal(samples.V100.ImageFor(Class)!.ImageSha256, before.Image.Sha256);

        // The policy narrows (publish withdrawn from field): the next resolution offers the narrowed image.
        FleetPolicies.Write(source.Folder, permissions: Permissions("log, \"sensor:temp0\""));
        Assert.True(source.Reload().IsReady);
        var after = Assert.Single((await resolver.ResolveAsync(device)).Containers);
        Assert.NotEqual(before.Image.Sha256, after.Image.Sha256);
        var target = after.DirectorTarget();
        Assert.Equal((after.Image.Sha256, (long)after.Image.Length), (target.Image.Sha256, target.Image.Length));
        var (image, header) = await ReadImageAsync(files, after.Bundle);
        Assert.Equal(["log", "sensor:temp0"], image.Grants.Select(g => g.ToString()));
        Assert.Equal(after.Image.Sha256, header.TargetDigest.Encoded);
        Assert.Equal((samples.V100.Version, samples.V100.SecurityCounter), (after.Image.Identity.Version, (ulong)after.Image.Identity.SecurityCounter));
    }

    [Fact]
    public async Task Without_a_serving_set_the_release_is_a_gap_not_the_container_s_own_permissions()
    {
        var policies = _folder.Folder("broken");
        FleetPolicies.Write(policies, permissions: "apiVersion: policy.atym.dev/v1\nkind: PermissionPolicy\n");
        using var source = new PolicySetSource(policies);
        var database = new OtaDatabase(_folder.Folder("data-broken"));
        _owned.Add(database);
        var gate = new OtaPolicyGate(source, new LiteDbAuditLog(database), new FixedTime(SignedSampleStore.Now));
        var images = new PolicyGrantedImages(gate, samples.Cutter, new BundleFileStore(_folder.Folder("bundles-broken")), publisher: null);

        var granted = await images.ForDeviceAsync(samples.V100, Device("field"));

        Assert.Null(granted.Release);
        Assert.Equal(PolicyRefusalCodes.Unavailable, granted.Gap!.Code);
    }

    public void Dispose()
    {
        foreach (var owned in _owned) owned.Dispose();
        _folder.Dispose();
    }
}
