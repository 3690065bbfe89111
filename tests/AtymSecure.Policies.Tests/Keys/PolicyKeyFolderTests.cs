using AtymSecure.Formats.Crypto;
using AtymSecure.Policies.Keys;
using AtymSecure.Policies.Loading;
using AtymSecure.TestSupport;

namespace AtymSecure.Policies.Tests.Keys;

/// <summary>Public keys found by the fingerprint the trust policy writes; a file that is not a key names itself.</summary>
public sealed class PolicyKeyFolderTests
{
    [Fact]
    public void Every_key_of_the_samples_trust_policy_is_found_in_its_keys_folder()
    {
        var set = PolicySetLoader.LoadFolder(TestPaths.SamplePolicies).Set!;
        var keys = PolicyKeyFolder.Load(Path.Combine(TestPaths.SamplePolicies, "keys"));

        Assert.All(set.Keys, k => Assert.Equal(k.SpkiSha256, PolicyKeyFolder.FingerprintOf(keys.Find(k)!)));
    }

    [Fact]
    public void A_file_that_is_not_a_public_key_stops_the_load_naming_the_file()
    {
        using var folder = TempFolder.Create("keys");
        folder.Write("broken.pub", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");

        var error = Assert.ThrowsAny<FormatException>(() => PolicyKeyFolder.Load(folder.Path));

        Assert.IsType<InvalidPublicKeyException>(error);
        Assert.Contains("broken.pub", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_folder_is_named()
    {
        var error = Assert.Throws<DirectoryNotFoundException>(() => PolicyKeyFolder.Load("/nonexistent/keys"));

        Assert.Contains("/nonexistent/keys", error.Message, StringComparison.Ordinal);
    }
}
