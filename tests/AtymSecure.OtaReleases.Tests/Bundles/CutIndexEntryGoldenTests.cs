using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaReleases.Tests.Bundles;

/// <summary>
/// The cut index entry's bytes per version, as both stores keep them (<c>cuts/KEYID.json</c> on disk and in the bucket):
/// v0 (before the entry kept its key) and v1 (with the key) still parse, and today's writer gives exactly v1's bytes, so
/// existing data folders and buckets keep their cuts. Golden files in Bundles/Golden.
/// </summary>
public sealed class CutIndexEntryGoldenTests
{
    private static readonly BundleCutKey Key = new("sha256:" + new string('1', 64), "rel-0123456789abcdef", "sha256:" + new string('2', 64), "linux-x86_64", ["log", "sensor:temp0"]);
    private static readonly BundleLocation Location = new(new string('a', 64), 512, IsDelta: true);

    private static byte[] Golden(string name) =>
        File.ReadAllBytes(Path.Combine(RepositoryRoot.Path, "tests", "AtymSecure.OtaReleases.Tests", "Bundles", "Golden", name));

    [Fact]
    public void Today_s_writer_gives_the_v1_bytes_and_they_parse_back_with_the_key()
    {
        var bytes = CutIndexEntry.ToBytes(Key, Location);
        Assert.True(System.Text.Encoding.UTF8.GetString(Golden("cut-entry-v1.json")).TrimEnd() == System.Text.Encoding.UTF8.GetString(bytes),
            "writer output: " + System.Text.Encoding.UTF8.GetString(bytes));
        Assert.Equal(new RecordedCut(Key, Location), CutIndexEntry.Parse(Golden("cut-entry-v1.json"), Key.Id));
    }

    [Fact]
    public void A_v0_entry_without_its_key_gives_its_bundle_but_is_listed_for_no_release()
    {
        Assert.Equal(new RecordedCut(null, Location with { IsDelta = false }), CutIndexEntry.Parse(Golden("cut-entry-v0.json"), Key.Id));
    }

    [Fact]
    public void A_v1_entry_under_another_name_keeps_its_bundle_but_not_its_key()
    {
        Assert.Equal(new RecordedCut(null, Location), CutIndexEntry.Parse(Golden("cut-entry-v1.json"), new string('f', 64)));
    }

    [Theory]
    [InlineData("cut-entry-negative-oversized.json")]
    [InlineData("cut-entry-negative-bad-digest.json")]
    public void A_damaged_entry_is_no_entry(string name) => Assert.Null(CutIndexEntry.Parse(Golden(name), Key.Id));
}
