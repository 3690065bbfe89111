using System.Runtime.CompilerServices;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Json;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.Formats.UpdateMetadata.Verification;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Tests.UpdateMetadata;

/// <summary>
/// Golden director documents whose target carries <c>custom.installWindow</c> (docs/update-metadata.md §3.1), kept
/// forever beside <see cref="GoldenUpdateMetadataTests"/>, against whose image repository and director root they
/// verify: the golden online document with two UTC intervals added to its target, version 2, signed by the golden
/// director-targets key (Ed25519: rewriting gives the same bytes), and bad ones whose window a device must refuse
/// although their signature is good. Written with ATYM_WRITE_GOLDENS=1 only when the folder is missing.
/// </summary>
public class GoldenInstallWindowTests
{
    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    private static readonly string GoldenDir = Path.Combine(Here(), "Golden", "window-v1");

    private static readonly DateTimeOffset Made = GoldenUpdateMetadataTests.Made;

    /// <summary>02:00-04:00 UTC on the two days after the golden set was made.</summary>
    internal static readonly InstallWindow Window = new([
        new UtcInterval(Made.AddDays(1).AddHours(2), Made.AddDays(1).AddHours(4)),
        new UtcInterval(Made.AddDays(2).AddHours(2), Made.AddDays(2).AddHours(4)),
    ]);

    private static UpdateCheck Verify(string file)
    {
        var image = GoldenUpdateMetadataTests.Load("image");
        var director = GoldenUpdateMetadataTests.Load("director");
        director[TestDirector.TargetsFile] = File.ReadAllBytes(Path.Combine(GoldenDir, file));
        var state = TrustedState.Provision(image["1.root.json"], director["1.root.json"]);
        var device = new DeviceContext("atym-0123456789abcdef", "linux-x86_64", [GoldenUpdateMetadataTests.Nonce],
            new EquatableMap<InstalledContainer>([KeyValuePair.Create("sensor-filter", new InstalledContainer(0))]));
        return new UpdateVerifier(new ManualClock(Made.AddHours(1))).Check(state, new UpdateSources(director, image), device);
    }

    [Fact]
    public void The_golden_window_document_verifies_to_the_golden_update_with_its_window()
    {
        var install = Assert.Single(Verify("targets.json").RequireUpdate().Installs);
        Assert.Equal(GoldenUpdateMetadataTests.Release, install.Release);
        Assert.Equal(Window, install.Window);
        Assert.False(install.Window!.IsOpen(Made.AddHours(1)));
        Assert.Equal(Made.AddDays(1).AddHours(2), install.Window.NextOpening(Made.AddHours(1)));
    }

    [Fact]
    public void The_golden_document_without_a_window_has_none()
    {
        var director = GoldenUpdateMetadataTests.Load("director").Read<TargetsMetadata>(TestDirector.TargetsFile).Signed;
        Assert.Null(DirectorTargetCustom.FromJson(director.Targets.Single().Value.Custom, "$").Window);
    }

    [Theory]
    [InlineData("bad/targets.window-overlapping.json", "intervals[1]")]
    [InlineData("bad/targets.window-unknown-member.json", "installWindow.zone")]
    [InlineData("bad/targets.window-local-time.json", "intervals[0].start")]
    [InlineData("bad/targets.window-end-before-start.json", "intervals[0].end")]
    public void Golden_bad_windows_are_refused_malformed_although_signed(string file, string pathEnd)
    {
        var refusal = Verify(file).Refusal;
        Assert.Equal(ReasonCodes.MetadataMalformed, refusal?.Code);
        Assert.EndsWith(pathEnd, refusal!.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void Our_writer_still_writes_every_golden_byte_for_byte()
    {
        foreach (var file in Directory.GetFiles(GoldenDir, "*.json", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            var read = SignedMetadata<TargetsMetadata>.Parse(bytes);
            Assert.True(bytes.AsSpan().SequenceEqual(SignedMetadata<TargetsMetadata>.Create(read.Signed, read.Signatures).ToBytes()),
                $"{Path.GetRelativePath(GoldenDir, file)} is not what our writer writes from its content");
        }
    }

    [Fact]
    public void Golden_set_is_complete()
    {
        if (Environment.GetEnvironmentVariable("ATYM_WRITE_GOLDENS") == "1" && !Directory.EnumerateFiles(GoldenDir, "*", SearchOption.AllDirectories).Any()) Write();
        string[] expected =
        [
            "bad/targets.window-end-before-start.json", "bad/targets.window-local-time.json", "bad/targets.window-overlapping.json",
            "bad/targets.window-unknown-member.json", "targets.json",
        ];
        Assert.Equal(expected, Directory.GetFiles(GoldenDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(GoldenDir, f).Replace('\\', '/')).Order(StringComparer.Ordinal));
    }

    /// <summary>Makes the golden set (once; see the class comment) from the online golden director document.</summary>
    private static void Write()
    {
        var online = GoldenUpdateMetadataTests.Load("director").Read<TargetsMetadata>(TestDirector.TargetsFile).Signed;
        var key = TestKeys.Ed25519("director-targets");
        var good = Window.ToJson();
        string T(DateTimeOffset t) => RoleMetadata.FormatTime(t);
        CanonicalJsonObject Interval(string start, string end) => CanonicalJsonObject.Of(("end", end), ("start", start));
        void Save(string relative, CanonicalJsonObject window)
        {
            var (path, target) = online.Targets.Single();
            var custom = JsonEdit.Set(target.Custom!, InstallWindow.Member, window);
            var document = online with { Version = 2, Targets = new EquatableMap<TargetFile>([KeyValuePair.Create(path, target with { Custom = custom })]) };
            var file = Path.Combine(GoldenDir, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(file, MetadataSigning.Sign(document, key).ToBytes());
        }
        var first = Window.Intervals[0];
        Save("targets.json", good);
        Save("bad/targets.window-overlapping.json", CanonicalJsonObject.Of(("intervals", new CanonicalJsonArray([
            Interval(T(first.Start), T(first.End)), Interval(T(first.Start.AddHours(1)), T(first.End.AddHours(1)))]))));
        // A reader that ignored an unknown member here could install in a window the operator narrowed: it fails closed.
        Save("bad/targets.window-unknown-member.json", JsonEdit.Set(good, "zone", "Europe/Berlin"));
        Save("bad/targets.window-local-time.json", CanonicalJsonObject.Of(("intervals", new CanonicalJsonArray([
            Interval("2026-12-02T02:00:00+01:00", T(first.End))]))));
        Save("bad/targets.window-end-before-start.json", CanonicalJsonObject.Of(("intervals", new CanonicalJsonArray([
            Interval(T(first.End), T(first.Start))]))));
    }
}
