using AtymSecure.OtaReleases.Planning;
using CsCheck;

namespace AtymSecure.OtaReleases.Tests.Planning;

/// <summary>
/// <see cref="BundleCutKey.Id"/> names a cut index file on every replica: equal keys give one id, and different keys
/// never share one, whatever characters their fields hold (v2 joined grants with ',' so <c>["a,b"]</c> and
/// <c>["a","b"]</c> collided).
/// </summary>
public class BundleCutKeyTests
{
    private const string Image = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    [Fact]
    public void Grants_that_contain_the_old_separator_are_another_key()
    {
        var joined = new BundleCutKey(null, "rel-1", Image, "linux-x86_64", ["publish:a,b"]);
        var split = new BundleCutKey(null, "rel-1", Image, "linux-x86_64", ["publish:a", "b"]);
        Assert.NotEqual(joined.Id, split.Id);
        Assert.NotEqual(new BundleCutKey(null, "rel-1", Image, "linux-x86_64", []).Id, new BundleCutKey(null, "rel-1", Image, "linux-x86_64", [""]).Id);
        Assert.NotEqual(new BundleCutKey(null, "rel-1", Image, "linux-x86_64", []).Id, new BundleCutKey("-", "rel-1", Image, "linux-x86_64", []).Id);
        Assert.Equal(joined.Id, (joined with { Grants = ["publish:a,b"] }).Id);
        Assert.Matches("^[0-9a-f]{64}$", joined.Id);
    }

    [Fact]
    public void A_key_with_a_null_field_or_grant_is_not_whole_and_one_made_in_code_is()
    {
        var key = new BundleCutKey(null, "rel-1", Image, "linux-x86_64", ["log"]);
        Assert.True(key.IsWhole);
        Assert.False((key with { TargetReleaseId = null! }).IsWhole);
        Assert.False((key with { TargetImageDigest = null! }).IsWhole);
        Assert.False((key with { DeviceClass = null! }).IsWhole);
        Assert.False((key with { Grants = null! }).IsWhole);
        Assert.False((key with { Grants = ["log", null!] }).IsWhole);
    }

    [Fact]
    public void Different_keys_have_different_ids_and_equal_keys_the_same()
    {
        var text = Gen.String[Gen.Char["a-c,:\n-0-9"], 0, 6];
        var baseImage = Gen.Select(Gen.Bool, text).Select((none, t) => none ? null : t);
        var key = Gen.Select(baseImage, text, text, text, text.Array[0, 3]).Select((b, r, i, c, g) => new BundleCutKey(b, r, i, c, [.. g]));
        Gen.Select(key, key).Sample((one, two) => Assert.Equal(one == two, one.Id == two.Id), iter: 2000);
        key.Sample(one => Assert.Equal(one.Id, new BundleCutKey(one.BaseImageDigest, one.TargetReleaseId, one.TargetImageDigest, one.DeviceClass, [.. one.Grants]).Id), iter: 200);
    }
}
