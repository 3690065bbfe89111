using System.Security.Cryptography;
using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.OtaServer.Tests.Fuzz;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;
using CsCheck;

namespace AtymSecure.OtaReleases.Tests.Bundles;

/// <summary>
/// The cut index (<c>bundles/cuts/KEYID.json</c>) read back at start: any damage to an entry (structural edits, retyped or
/// null fields, unknown fields, past the size cap, random bytes) never stops the store from opening; the entry then gives
/// its intact bundle or nothing, and is listed for a release only with a key that hashes to its name.
/// </summary>
public sealed class BundleFileStoreFuzzTests : IDisposable
{
    private readonly TempFolder _folder = TempFolder.Create("cut-index-fuzz");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_damaged_cut_index_entry_gives_its_bundle_intact_or_nothing_and_never_a_foreign_listing()
    {
        var root = _folder.Folder("bundles");
        var store = new BundleFileStore(root);
        var bytes = RandomNumberGenerator.GetBytes(512);
        var hex = Digest.Compute(bytes).Encoded;
        await File.WriteAllBytesAsync(Path.Combine(root, "sha256", hex + ".bundle"), bytes);
        var key = new BundleCutKey("sha256:" + new string('1', 64), "rel-0123456789abcdef", "sha256:" + new string('2', 64), "linux-x86_64", ["log", "sensor:temp0"]);
        var location = new BundleLocation(hex, 512, IsDelta: true);
        await store.RecordCutAsync(key, location);
        var entry = Path.Combine(root, "cuts", key.Id + ".json");
        var valid = await File.ReadAllBytesAsync(entry);
        Assert.Equal(location, new BundleFileStore(root).FindCut(key));

        // One field of the entry or its key retyped, the rest intact (the shared mutations retype every field at once).
        var text = System.Text.Encoding.UTF8.GetString(valid);
        var oneField = Gen.Select(Gen.OneOf<string>("sha256", "length", "isDelta", "key", "baseImageDigest", "targetReleaseId", "targetImageDigest", "deviceClass", "grants", "id"),
            Gen.OneOf<string>("null", "1", "\"x\"", "[]", "{}", "[null]", "true")).Select(change => System.Text.Encoding.UTF8.GetBytes(System.Text.RegularExpressions.Regex.Replace(text,
                $"(?<=\"{change.Item1}\":)(\"[^\"]*\"|\\d+|true|false|null|\\[[^\\]]*\\]|\\{{[^}}]*\\}})", change.Item2, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1))));
        Gen.Frequency((3, JsonBodyMutations.Of(valid)), (2, oneField)).Sample(damaged =>
        {
            File.WriteAllBytes(entry, damaged);
            var reopened = new BundleFileStore(root);
            if (reopened.FindCut(key) is { } found) Assert.Equal((hex, 512UL), (found.Sha256, found.Length));
            Assert.All(reopened.CutsFor(key.TargetReleaseId), c => Assert.Equal(key.Id, c.Key!.Id));
        }, iter: 150, threads: 1);
    }
}
