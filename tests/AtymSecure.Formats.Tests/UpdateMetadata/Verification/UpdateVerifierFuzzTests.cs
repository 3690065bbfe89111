using AtymSecure.Formats.UpdateMetadata.Verification;
using CsCheck;

namespace AtymSecure.Formats.Tests.UpdateMetadata.Verification;

/// <summary>
/// Whatever a network attacker does to one served file, a cycle ends in a verdict (an update, up-to-date or a typed
/// refusal), never in another exception, and a mutated file never yields an update for other bytes. Each case runs a
/// whole cycle with signature checks, so this runs 500 cases per file; the parsers underneath run 100k each
/// (<see cref="Model.MetadataFuzzTests"/>).
/// </summary>
public class UpdateVerifierFuzzTests
{
    public static TheoryData<string> Files => new() { "director:targets.json", "image:timestamp.json", "image:snapshot", "image:targets", "image:compiler", "image:vendor", "image:root" };

    [Theory]
    [MemberData(nameof(Files))]
    public void A_mutated_file_ends_in_a_verdict(string which)
    {
        var s = new UpdateScenario();
        var assignment = s.Release(s.ReleaseOf("1.0.0", 1));
        s.Assign(assignment);
        s.Repository.RotateRoot(r => r);
        var start = s.State;
        var (source, name) = which switch
        {
            "director:targets.json" => (s.Director.Source, "targets.json"),
            "image:timestamp.json" => (s.Repository.Source, "timestamp.json"),
            "image:snapshot" => (s.Repository.Source, $"{s.Repository.SnapshotVersion}.snapshot.json"),
            "image:targets" => (s.Repository.Source, $"{s.Repository.VersionOf("targets")}.targets.json"),
            "image:compiler" => (s.Repository.Source, $"{s.Repository.VersionOf(s.Repository.Compiler)}.{s.Repository.Compiler}.json"),
            "image:vendor" => (s.Repository.Source, $"{s.Repository.VersionOf(TestImageRepository.Vendor)}.{TestImageRepository.Vendor}.json"),
            _ => (s.Repository.Source, "2.root.json"),
        };
        var valid = source[name]!;
        var edit = Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte, Gen.Int[0, 2]);
        edit.Array[1, 3].Sample(edits =>
        {
            var copy = (byte[])valid.Clone();
            var length = copy.Length;
            foreach (var (at, value, kind) in edits)
            {
                if (kind == 0) copy[at] = value;
                else if (kind == 1) copy[at] ^= (byte)(1 << (value % 8));
                else length = Math.Min(length, at + 1);
            }
            var served = new MemoryMetadataSource();
            foreach (var n in source.Names) served[n] = source[n];
            served[name] = copy[..length];
            var update = new UpdateVerifier(s.Clock).Check(start, source == s.Director.Source
                ? new UpdateSources(served, s.Repository.Source)
                : new UpdateSources(s.Director.Source, served), s.Device);
            if (update.Update is { } verified) Assert.Equal(assignment.ImageSha256, verified.Installs[0].Image.Sha256);
        }, iter: 500, threads: 1);
    }
}
