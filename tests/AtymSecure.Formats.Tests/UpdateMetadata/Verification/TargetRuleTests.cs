using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Verification;
using static AtymSecure.Formats.ReasonCodes;

namespace AtymSecure.Formats.Tests.UpdateMetadata.Verification;

/// <summary>Steps 8–11 of docs/trust-model.md §3, one refusal per rule: delegations, target equality, provenance, download.</summary>
public class TargetRuleTests
{
    [Fact]
    public void An_image_no_delegation_lists_is_not_listed()
    {
        var s = new UpdateScenario();
        var release = s.ReleaseOf("1.0.0", 1);
        var (image, _, bundle) = UpdateScenario.BytesOf(release);
        s.Assign(new TestDirector.Assignment(release, TestImageRepository.Hex(image), image.Length, bundle));
        var refusal = s.Refused(TargetNotListed);
        Assert.Equal((8, TargetPaths.Image(release, TestImageRepository.Hex(image))), (refusal.Step!.Value, refusal.File));
    }

    [Fact]
    public void The_compiler_role_file_needs_its_delegated_key_its_listing_and_a_future_expiry()
    {
        var s = new UpdateScenario();
        var a = s.Release(s.ReleaseOf("1.0.0", 1));
        s.Assign(a);
        var compiler = s.Repository.Compiler;
        var file = $"{s.Repository.VersionOf(compiler)}.{compiler}.json";
        var original = s.Repository.Source[file]!;

        s.Repository.Source.Resign<TargetsMetadata>(file, d => d, s.Repository.VendorKey);
        s.Repository.PublishSnapshot(); // listed with the re-signed bytes, so only the key is wrong
        var refusal = s.Refused(ThresholdNotMet);
        Assert.Equal((8, compiler, file), (refusal.Step!.Value, refusal.Role, refusal.File));

        s.Repository.Source[file] = [.. original, (byte)' '];
        Assert.Equal(compiler, s.Refused(MetadataTooLarge).Role);

        s.Repository.Source[file] = original;
        s.Repository.PublishSnapshot();
        s.Repository.Source.Resign<TargetsMetadata>(file, d => d with { Expires = d.Expires.AddSeconds(-1) }, s.Repository.CompilerKey);
        Assert.Equal(compiler, s.Refused(SnapshotMismatch).Role);

        s.Repository.DelegatedLife = TimeSpan.FromMinutes(1);
        s.Repository.AddRelease(s.ReleaseOf("9.0.0", 1), [9], [9]);
        s.Repository.Publish();
        s.Clock.Advance(TimeSpan.FromMinutes(7));
        s.Repository.PublishTimestamp();
        Assert.Equal(compiler, s.Refused(MetadataExpired).Role);
    }

    [Fact]
    public void A_delegated_file_may_not_delegate_further()
    {
        var s = new UpdateScenario();
        var a = s.Release(s.ReleaseOf("1.0.0", 1), publish: false);
        s.Repository.AddTarget(s.Repository.Compiler, "images/linux-x86_64/placeholder", TargetFile.Describe([1]));
        s.Assign(a);
        var compiler = s.Repository.Compiler;
        s.Repository.Publish();
        var file = $"{s.Repository.VersionOf(compiler)}.{compiler}.json";
        s.Repository.Source.Resign<TargetsMetadata>(file, d => d with { Delegations = s.Repository.CurrentDelegations() }, s.Repository.CompilerKey);
        s.Repository.PublishSnapshot();
        Assert.Equal("$.signed.delegations", s.Refused(MetadataMalformed).Path);
    }

    [Fact]
    public void A_terminating_role_that_covers_the_path_ends_the_search_even_without_the_target()
    {
        var s = new UpdateScenario();
        var a = s.Release(s.ReleaseOf("1.0.0", 1));
        s.Assign(a);
        // A terminating role ahead of the compiler that covers every image and lists none.
        s.Repository.ChangeTopLevel(t => t with
        {
            Delegations = t.Delegations! with
            {
                Roles = [new DelegatedRole(TestImageRepository.Vendor, SampleMetadata.RoleOf(1, s.Repository.VendorKey), true, Paths: ["images/*/*/*/*/*", TargetPaths.VendorPattern("sensor-*")]), .. t.Delegations.Roles.Skip(1)],
            },
        });
        s.Repository.Publish();
        s.Refused(TargetNotListed);

        // Non-terminating: the search goes on to the compiler.
        s.Repository.ChangeTopLevel(t => t with { Delegations = t.Delegations! with { Roles = [t.Delegations.Roles[0] with { Terminating = false }, .. t.Delegations.Roles.Skip(1)] } });
        s.Repository.Publish();
        Assert.Equal(s.Repository.Compiler, s.Installs().Installs[0].ImageRole.Role);
    }

    [Fact]
    public void The_search_visits_at_most_the_delegation_cap()
    {
        var s = new UpdateScenario();
        var a = s.Release(s.ReleaseOf("1.0.0", 1));
        s.Assign(a);
        s.Limits = s.Limits with { MaxDelegationsVisited = 1 };
        s.Repository.ChangeTopLevel(t => t with { Delegations = t.Delegations! with { Roles = [t.Delegations.Roles[0] with { Terminating = false, Paths = ["*/*/*/*/*/*", TargetPaths.VendorPattern("*")] }, .. t.Delegations.Roles.Skip(1)] } });
        s.Repository.Publish();
        s.Refused(TargetNotListed);
        s.Limits = s.Limits with { MaxDelegationsVisited = 2 };
        s.Installs();
    }

    [Fact]
    public void Path_hash_prefix_delegations_find_their_targets()
    {
        var s = new UpdateScenario();
        var a = s.Release(s.ReleaseOf("1.0.0", 1));
        s.Assign(a);
        var compiler = s.Repository.Compiler;
        s.Repository.ChangeTopLevel(t => t with { Delegations = t.Delegations! with { Roles = [t.Delegations.Roles[0], t.Delegations.Roles[1] with { Paths = null, PathHashPrefixes = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"] }] } });
        s.Repository.Publish();
        Assert.Equal(compiler, s.Installs().Installs[0].ImageRole.Role);
    }

    [Fact]
    public void The_image_repository_and_the_director_must_agree_on_hash_and_length()
    {
        var s = new UpdateScenario();
        var a = s.Release(s.ReleaseOf("1.0.0", 1));
        var path = TargetPaths.Image(a.Release, a.ImageSha256);
        var listed = s.Repository.Source.Read<TargetsMetadata>($"{s.Repository.VersionOf(s.Repository.Compiler)}.{s.Repository.Compiler}.json").Signed.Targets[path];
        s.Repository.AddTarget(s.Repository.Compiler, path, listed with { Hashes = FileHashes.Sha256Of([1, 2, 3]) });
        s.Repository.Publish();
        s.Assign(a);
        var refusal = s.Refused(TargetMismatch);
        Assert.Equal((9, s.Repository.Compiler, path), (refusal.Step!.Value, refusal.Role, refusal.File));

        s.Repository.AddTarget(s.Repository.Compiler, path, listed with { Length = listed.Length + 1 });
        s.Repository.Publish();
        s.Refused(TargetMismatch);
    }

    [Theory]
    [InlineData("codeKind")]
    [InlineData("container")]
    [InlineData("version")]
    [InlineData("securityCounter")]
    [InlineData("deviceClass")]
    public void Every_must_match_field_must_match(string field)
    {
        var s = new UpdateScenario();
        var a = s.Release(s.ReleaseOf("1.0.0", 3));
        var path = TargetPaths.Image(a.Release, a.ImageSha256);
        var listed = s.Repository.Source.Read<TargetsMetadata>($"{s.Repository.VersionOf(s.Repository.Compiler)}.{s.Repository.Compiler}.json").Signed.Targets[path];
        var custom = ImageTargetCustom.FromJson(listed.Custom, "$");
        var changed = field switch
        {
            "codeKind" => custom.Release with { CodeKind = ArtifactKind.Wasm },
            "container" => custom.Release with { Container = "sensor-other" },
            "version" => custom.Release with { Version = "1.0.1" },
            "securityCounter" => custom.Release with { SecurityCounter = 4 },
            _ => custom.Release with { DeviceClass = "linux-aarch64" },
        };
        s.Repository.AddTarget(s.Repository.Compiler, path, listed with { Custom = (custom with { Release = changed }).ToJson() });
        s.Repository.Publish();
        s.Assign(a);
        Assert.EndsWith($".custom.{field}", s.Refused(TargetMismatch).Path, StringComparison.Ordinal);
    }

    [Fact]
    public void A_counter_below_the_container_floor_is_refused_and_an_equal_one_accepted()
    {
        var s = new UpdateScenario();
        s.Containers[UpdateScenario.Container] = new InstalledContainer(SecurityCounterFloor: 5);
        s.Assign(s.Release(s.ReleaseOf("1.0.0", 4)));
        Assert.EndsWith(".custom.securityCounter", s.Refused(CounterRollback).Path, StringComparison.Ordinal);
        s.AssignNext("1.0.1", 5);
        s.Installs();
    }

    [Fact]
    public void An_image_whose_source_the_vendor_did_not_list_is_refused()
    {
        var s = new UpdateScenario();
        var release = s.ReleaseOf("1.0.0", 1);
        var (image, source, bundle) = UpdateScenario.BytesOf(release);
        s.Repository.AddRelease(release, image, source, listSource: false);
        s.Repository.Publish();
        s.Assign(new TestDirector.Assignment(release, TestImageRepository.Hex(image), image.Length, bundle));
        var refusal = s.Refused(SourceNotListed);
        Assert.Equal((10, TargetPaths.Source(release.Container, release.Version)), (refusal.Step!.Value, refusal.File));
    }

    [Fact]
    public void An_image_compiled_from_other_source_than_the_vendor_listed_is_refused()
    {
        var s = new UpdateScenario();
        var release = s.ReleaseOf("1.0.0", 1);
        var (image, _, bundle) = UpdateScenario.BytesOf(release);
        s.Repository.AddRelease(release, image, "the vendor's real wasm"u8.ToArray());
        s.Repository.AddTarget(s.Repository.Compiler, TargetPaths.Image(release, TestImageRepository.Hex(image)),
            TargetFile.Describe(image, new ImageTargetCustom(release, "sha256:" + TestImageRepository.Hex("tampered wasm"u8.ToArray())).ToJson()));
        s.Repository.Publish();
        s.Assign(new TestDirector.Assignment(release, TestImageRepository.Hex(image), image.Length, bundle));
        var refusal = s.Refused(SourceNotListed);
        Assert.Equal(TestImageRepository.Vendor, refusal.Role);
    }

    [Fact]
    public void A_download_is_bounded_by_the_signed_length_and_checked_against_the_signed_hash()
    {
        var bundle = "the bundle"u8.ToArray();
        var target = TargetFile.Describe(bundle);
        MetadataRefusal Refusal(byte[] served) =>
            Assert.Throws<MetadataRefusedException>(() => LengthBoundedDownload.ReadAll(new MemoryStream(served), "bundles/x.bundle", target)).Refusal;

        Assert.Equal(LengthExceeded, Refusal([.. bundle, 0]).Code);
        Assert.Equal(TargetMismatch, Refusal(bundle[..^1]).Code);
        Assert.Equal(TargetMismatch, Refusal([.. bundle[..^1], 0]).Code);
        Assert.Equal((11, "bundles/x.bundle"), (Refusal([.. bundle, 0]).Step!.Value, Refusal([.. bundle, 0]).File));
    }

    [Fact]
    public void An_endless_download_stops_one_byte_past_the_signed_length()
    {
        var target = TargetFile.Describe(new byte[100]);
        var endless = new EndlessStream();
        using var download = new LengthBoundedDownload(endless, "b", target);
        Assert.Equal(LengthExceeded, Assert.Throws<MetadataRefusedException>(() => download.CopyTo(Stream.Null)).Code);
        Assert.Equal(101, endless.Served);
    }

    private sealed class EndlessStream : Stream
    {
        public long Served { get; private set; }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            buffer.Clear();
            Served += buffer.Length;
            return buffer.Length;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Served; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
