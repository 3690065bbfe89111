using System.Text;
using AtymSecure.Formats;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.Primitives;

namespace AtymSecure.OtaMetadata.Tests.Repository;

public sealed class ImageRepositoryTests : IDisposable
{
    private const string Nonce = "nonce-aaaaaaaaaaaaaaaa";
    private static readonly ReleaseIdentity Release = DirectorFixture.Release;
    private static readonly byte[] ImageBytes = Encoding.ASCII.GetBytes("compiled image of sensor-filter 1.2.0");
    private static readonly byte[] Wasm = Encoding.ASCII.GetBytes("\0asm source of sensor-filter 1.2.0");

    private readonly RepositoryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void A_device_verifies_a_release_the_server_published_through_every_step()
    {
        var image = _fixture.Release(Release, ImageBytes, Wasm);
        var bundle = new byte[] { 9, 8, 7, 6 };
        _fixture.Assign(image, Nonce, bundle);

        var check = _fixture.DeviceCheck(_fixture.Provisioned(), RepositoryFixture.FreshDevice(Nonce));

        var install = Assert.Single(check.RequireUpdate().Installs);
        Assert.Equal(Release, install.Release);
        Assert.Equal(image.Path, install.ImagePath);
        Assert.Equal(RepositoryFixture.Hex(bundle), install.Bundle.Sha256);
        Assert.Equal("compiler-linux-x86_64", install.ImageRole.Role);
        Assert.Equal(_fixture.Online(OnlineRole.Compiler).PublicKey, Assert.Single(install.ImageRole.Keys));
        Assert.Equal("vendor-acme", install.SourceRole.Role);
        Assert.Equal(_fixture.VendorKey.PublicKey, Assert.Single(install.SourceRole.Keys));
    }

    [Fact]
    public void Each_release_publishes_a_new_compiler_version_snapshot_and_timestamp_under_consistent_names()
    {
        var before = _fixture.Image.Published;
        var image = _fixture.Release(Release, ImageBytes, Wasm);
        var after = _fixture.Image.Published;

        var compiler = after.Delegated["compiler-linux-x86_64"];
        Assert.Equal(before.Delegated["compiler-linux-x86_64"].Signed.Version + 1, compiler.Signed.Version);
        Assert.Equal(_fixture.Clock.GetUtcNow().AddDays(7), compiler.Signed.Expires);
        var entry = compiler.Signed.Targets[image.Path];
        Assert.Equal("sha256:" + new string('c', 64), ((Formats.UpdateMetadata.Json.CanonicalJsonString)entry.Custom!.Members["sourceManifestDigest"]).Value);
        Assert.True(after.Snapshot!.Signed.Version > before.Snapshot!.Signed.Version);
        Assert.Equal(after.Snapshot.Signed.Version, after.Timestamp!.Signed.Snapshot.Version);
        Assert.Equal(compiler.ToBytes(), _fixture.Image.Metadata.Read($"{compiler.Signed.Version}.compiler-linux-x86_64.json"));
        Assert.Equal(after.Snapshot.ToBytes(), _fixture.Image.Metadata.Read($"{after.Snapshot.Signed.Version}.snapshot.json"));
        // Earlier versions stay published (consistent snapshots: a client mid-refresh still finds its files).
        Assert.NotNull(_fixture.Image.Metadata.Read($"{before.Snapshot.Signed.Version}.snapshot.json"));
    }

    [Fact]
    public void A_restart_continues_every_version_sequence()
    {
        _fixture.Release(Release, ImageBytes, Wasm);
        var before = _fixture.Image.Published;
        _fixture.Restart();
        var second = Release with { Version = "1.3.0", SecurityCounter = 8 };
        _fixture.Release(second, [.. ImageBytes, 1], [.. Wasm, 1]);
        var after = _fixture.Image.Published;

        Assert.Equal(before.Timestamp!.Signed.Version + 2, after.Timestamp!.Signed.Version); // vendor upload + release
        Assert.Equal(before.Delegated["compiler-linux-x86_64"].Signed.Version + 1, after.Delegated["compiler-linux-x86_64"].Signed.Version);
        Assert.Equal(2, after.Delegated["compiler-linux-x86_64"].Signed.Targets.Count);
    }

    [Fact]
    public void A_vendor_listing_outside_its_delegation_is_refused_and_nothing_is_published()
    {
        var before = _fixture.Image.Published;
        var listing = _fixture.VendorListing("other-app", "1.0.0", Wasm); // vendor-acme owns sensor-* only

        var refused = Assert.Throws<MetadataRefusedException>(() => _fixture.Image.AcceptDelegated("vendor-acme", listing));

        Assert.Equal(ReasonCodes.TargetNotListed, refused.Code);
        Assert.Equal("$.signed.targets[\"sources/other-app/1.0.0/module.wasm\"]", refused.Refusal.Path);
        Assert.Equal(before, _fixture.Image.Published);
    }

    [Fact]
    public void A_vendor_listing_signed_by_another_key_is_refused()
    {
        _fixture.VendorKey = OfflineTestKeys.Get("not-the-vendor");
        var listing = _fixture.VendorListing("sensor-filter", "1.2.0", Wasm);

        var refused = Assert.Throws<MetadataRefusedException>(() => _fixture.Image.AcceptDelegated("vendor-acme", listing));

        Assert.Equal(ReasonCodes.ThresholdNotMet, refused.Code);
    }

    [Fact]
    public void A_vendor_listing_must_raise_the_version()
    {
        _fixture.UploadVendor("sensor-filter", "1.2.0", Wasm);
        var replay = _fixture.VendorListing("sensor-filter", "1.2.0", Wasm);
        _fixture.Image.AcceptDelegated("vendor-acme", replay);

        var refused = Assert.Throws<MetadataRefusedException>(() => _fixture.Image.AcceptDelegated("vendor-acme", replay));

        Assert.Equal(ReasonCodes.RollbackVersion, refused.Code);
    }

    [Fact]
    public void Compiler_roles_and_unknown_roles_cannot_be_uploaded()
    {
        var listing = _fixture.VendorListing("sensor-filter", "1.2.0", Wasm);

        Assert.Equal(ReasonCodes.MetadataMalformed, Assert.Throws<MetadataRefusedException>(() => _fixture.Image.AcceptDelegated("compiler-linux-x86_64", listing)).Code);
        Assert.Equal(ReasonCodes.TargetNotListed, Assert.Throws<MetadataRefusedException>(() => _fixture.Image.AcceptDelegated("vendor-evil", listing)).Code);
    }

    [Fact]
    public void An_image_of_another_class_or_with_a_bad_field_is_refused()
    {
        var wrongClass = new CompiledImageTarget(Release with { DeviceClass = "mcu-cortex-m33" }, new string('a', 64), 10, "sha256:" + new string('b', 64));
        var badDigest = new CompiledImageTarget(Release, new string('a', 64), 10, "md5:abc");

        Assert.Equal(ReasonCodes.WrongClass, Assert.Throws<MetadataRefusedException>(() => _fixture.Image.AddCompiledImages("linux-x86_64", [wrongClass])).Code);
        Assert.Equal(ReasonCodes.MetadataMalformed, Assert.Throws<MetadataRefusedException>(() => _fixture.Image.AddCompiledImages("linux-x86_64", [badDigest])).Code);
        Assert.Equal(ReasonCodes.TargetNotListed, Assert.Throws<MetadataRefusedException>(() => _fixture.Image.AddCompiledImages("mcu-cortex-m33", [wrongClass])).Code);
    }

    [Fact]
    public void Top_level_targets_must_be_signed_by_the_roots_targets_key_and_list_nothing_itself()
    {
        var wrongKey = MetadataSigning.Sign(_fixture.TopLevel(2), OfflineTestKeys.Get("not-targets")).ToBytes();
        var withTarget = MetadataSigning.Sign(_fixture.TopLevel(2) with
        {
            Targets = new EquatableMap<TargetFile>([KeyValuePair.Create("images/linux-x86_64/x/1.0.0/c1/a.img", TargetFile.Describe([1]))]),
        }, _fixture.TargetsKey).ToBytes();

        Assert.Equal(ReasonCodes.ThresholdNotMet, Assert.Throws<MetadataRefusedException>(() => _fixture.Image.AcceptTargets(wrongKey)).Code);
        Assert.Equal(ReasonCodes.MetadataMalformed, Assert.Throws<MetadataRefusedException>(() => _fixture.Image.AcceptTargets(withTarget)).Code);
        Assert.Equal(ReasonCodes.RollbackVersion, Assert.Throws<MetadataRefusedException>(() => _fixture.Image.AcceptTargets(_fixture.SignTopLevel(1))).Code);
    }

    [Fact]
    public void The_compiler_signing_key_for_releases_is_the_one_the_delegation_lists()
    {
        var listed = _fixture.Online(OnlineRole.Compiler);
        _fixture.Keys.Generate(OnlineRole.Compiler); // made for a rotation, not yet delegated

        Assert.Equal(listed.PublicKey, _fixture.Image.For("linux-x86_64").PublicKey);
    }
}
