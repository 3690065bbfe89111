using AtymSecure.Formats.Bundle;
using AtymSecure.OtaReleases.Import;
using AtymSecure.OtaStore;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.Primitives;
using CsCheck;

namespace AtymSecure.OtaReleases.Tests.Planning;

/// <summary><see cref="DesiredStatePlanner"/>: pure, over constructed releases (no registry, no compiler).</summary>
public sealed class DesiredStatePlannerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static string Sha(string seed) => Digest.Compute(System.Text.Encoding.UTF8.GetBytes(seed)).ToString();

    private static Release Release(string container, string version, int order, ulong counter = 1, params string[] classes) =>
        new(OtaStore.Release.IdFor(Sha(container + version)), container, version, "127.0.0.1:5000/samples/" + container, Sha(container + version),
            Sha("wasm" + container + version), counter, false, T0.AddMinutes(order), T0.AddDays(180),
            new EquatableList<ReleaseImage>((classes.Length == 0 ? ["linux-x86_64"] : classes).Select(c =>
                new ReleaseImage(c, Sha($"{container}{version}{c}"), 1000, ArtifactKind.WasmtimeNative, ["sensor.read"], Sha("out" + c), Sha("ref" + c)))),
            EquatableList<ReleaseClassFailure>.Empty);

    private static DeviceView Device(params (string Container, string Digest)[] confirmed) =>
        new("atym-0123456789abcdef", "linux-x86_64", new EquatableMap<string>(confirmed.Select(c => KeyValuePair.Create(c.Container, c.Digest))));

    [Fact]
    public void A_device_running_nothing_gets_the_image_target_and_a_full_bundle()
    {
        var v1 = Release("sensor-filter", "1.0.0", 0, counter: 3);
        var plan = DesiredStatePlanner.Plan(Device(), [v1], [v1]);

        var planned = Assert.Single(plan.Containers);
        Assert.Equal("sensor-filter", planned.Container);
        Assert.False(planned.UpToDate);
        Assert.Null(planned.Cut.Key.BaseImageDigest);
        Assert.Null(planned.Cut.Base);
        var image = v1.Images[0];
        Assert.Equal(new BundleCutKey(null, v1.Id, image.ImageDigest, "linux-x86_64", ["sensor.read"]), planned.Cut.Key);
        Assert.Equal($"images/linux-x86_64/sensor-filter/1.0.0/c3/{image.ImageSha256}.img", planned.Image.Path);
        Assert.Equal((1000ul, 3L, ArtifactKind.WasmtimeNative, v1.SourceWasmDigest), (planned.Image.Length, planned.Image.Identity.SecurityCounter,
            planned.Image.Identity.CodeKind, planned.Image.SourceWasmDigest));
    }

    [Fact]
    public void A_version_the_device_tried_and_reverted_is_withheld_and_a_newer_one_is_offered()
    {
        var v1 = Release("sensor-filter", "1.0.0", 0);
        var bad = Release("sensor-filter", "1.2.0", 1);
        var device = Device(("sensor-filter", v1.Images[0].ImageDigest)) with
        {
            RejectedVersions = new EquatableMap<string>([KeyValuePair.Create("sensor-filter", "1.2.0")]),
        };

        var withheld = DesiredStatePlanner.Plan(device, [bad], [v1, bad]);
        Assert.Empty(withheld.Containers);
        var gap = Assert.Single(withheld.Gaps);
        Assert.Equal(("sensor-filter", bad.Id, ReleaseProblemCodes.RejectedByDevice), (gap.Container, gap.ReleaseId, gap.Code));

        var fixedRelease = Release("sensor-filter", "1.2.1", 2);
        var planned = Assert.Single(DesiredStatePlanner.Plan(device, [fixedRelease], [v1, bad, fixedRelease]).Containers);
        Assert.Equal(fixedRelease, planned.Cut.Target);
    }

    [Fact]
    public void A_device_confirmed_on_a_known_release_gets_a_delta_from_that_image()
    {
        var v1 = Release("sensor-filter", "1.0.0", 0);
        var v2 = Release("sensor-filter", "1.1.0", 1);
        var plan = DesiredStatePlanner.Plan(Device(("sensor-filter", v1.Images[0].ImageDigest)), [v2], [v1, v2]);

        var planned = Assert.Single(plan.Containers);
        Assert.Equal(v1.Images[0].ImageDigest, planned.Cut.Key.BaseImageDigest);
        Assert.Equal(v1, planned.Cut.Base);
        Assert.Equal(v2, planned.Cut.Target);
    }

    [Fact]
    public void An_image_the_server_cannot_rebuild_gives_a_full_bundle_and_the_assigned_image_already_confirmed_is_up_to_date()
    {
        var v1 = Release("sensor-filter", "1.0.0", 0);
        var unknown = DesiredStatePlanner.Plan(Device(("sensor-filter", Sha("locally cut"))), [v1], [v1]);
        Assert.Null(Assert.Single(unknown.Containers).Cut.Key.BaseImageDigest);

        var current = DesiredStatePlanner.Plan(Device(("sensor-filter", v1.Images[0].ImageDigest)), [v1], [v1]);
        var planned = Assert.Single(current.Containers);
        Assert.True(planned.UpToDate);
        Assert.Null(planned.Cut.Key.BaseImageDigest);
    }

    [Fact]
    public void A_release_without_an_image_for_the_devices_class_is_a_gap_saying_why_not_a_target()
    {
        var mcuOnly = Release("sensor-filter", "1.0.0", 0, 1, "mcu-cortex-m33") with
        {
            Failures = [new ReleaseClassFailure("linux-x86_64", ReleaseProblemCodes.CompileFailed, "wasmtime crashed")],
        };
        var other = Release("anomaly-detector", "1.0.0", 0);
        var plan = DesiredStatePlanner.Plan(Device(), [mcuOnly, other], [mcuOnly, other]);

        Assert.Equal(["anomaly-detector"], plan.Containers.Select(c => c.Container));
        var gap = Assert.Single(plan.Gaps);
        Assert.Equal((ReleaseProblemCodes.ClassNotInRelease, "sensor-filter"), (gap.Code, gap.Container));
        Assert.Contains("wasmtime crashed", gap.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cut_keys_differ_in_every_field_and_their_ids_are_stable_text()
    {
        var key = new BundleCutKey(null, "rel-0000000000000001", Sha("t"), "linux-x86_64", ["a", "b"]);
        Assert.Equal(key.Id, (key with { Grants = ["a", "b"] }).Id);
        Assert.Equal(5, new[] { key with { BaseImageDigest = Sha("b") }, key with { TargetReleaseId = "rel-0000000000000002" }, key with { TargetImageDigest = Sha("u") },
            key with { DeviceClass = "linux-aarch64" }, key with { Grants = ["a"] } }.Select(k => k.Id).Append(key.Id).Distinct().Count() - 1);
        Assert.Matches("^[0-9a-f]{64}$", key.Id);
    }

    [Fact]
    public void Property_every_plan_targets_the_assigned_image_for_the_class_and_deltas_only_from_a_known_other_image()
    {
        var versions = new[] { "1.0.0", "1.1.0", "1.2.0", "2.0.0" };
        var gen = Gen.Select(Gen.Int[0, 3], Gen.Int[-1, 4], Gen.Bool);
        gen.Sample((assignedIndex, confirmedIndex, classMissing) =>
        {
            var known = versions.Select((v, i) => Release("sensor-filter", v, i)).ToList();
            var assigned = classMissing ? Release("sensor-filter", "3.0.0", 9, 1, "mcu-cortex-m4") : known[assignedIndex];
            var confirmed = confirmedIndex switch { -1 => null, 4 => Sha("foreign"), _ => known[confirmedIndex].Images[0].ImageDigest };
            var device = confirmed is null ? Device() : Device(("sensor-filter", confirmed));
            var plan = DesiredStatePlanner.Plan(device, [assigned], known);
            Assert.Equal(plan, DesiredStatePlanner.Plan(device, [assigned], known)); // deterministic
            if (classMissing)
            {
                Assert.Empty(plan.Containers);
                Assert.Single(plan.Gaps);
                return;
            }
            var planned = Assert.Single(plan.Containers);
            Assert.Equal(assigned.Images[0].ImageDigest, planned.Cut.Key.TargetImageDigest);
            Assert.Equal(planned.UpToDate, confirmed == assigned.Images[0].ImageDigest);
            var expectDelta = confirmedIndex is >= 0 and < 4 && confirmedIndex != assignedIndex;
            Assert.Equal(expectDelta ? confirmed : null, planned.Cut.Key.BaseImageDigest);
            Assert.Equal(expectDelta, planned.Cut.Base is not null);
        }, iter: 200);
    }
}
