using System.Text;
using AtymSecure.Delivery.Swu;
using AtymSecure.Primitives;
using CsCheck;

namespace AtymSecure.Delivery.Tests.Swu;

public sealed class SwDescriptionTests
{
    private const string Sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private static SwDescription Make(string version = "1.2.0", string path = "/var/lib/atym/gw1/inbox/20261204T120000-offline.tar",
        string sha = Sha, SwuSelection? selection = null, params string[] revisions) =>
        new(version, "atym offline export", new EquatableList<string>(revisions.Length > 0 ? revisions : ["1.0"]),
            new EquatableList<SwuFile>([new SwuFile("atym-offline-export.tar", path, sha)]), selection);

    private static string Golden(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Swu", "Golden", name));

    [Fact]
    public void Writes_the_golden_manifest() =>
        Assert.Equal(Golden("sw-description.v1"), Encoding.ASCII.GetString(Make().ToBytes()));

    [Fact]
    public void Writes_the_golden_manifest_under_a_selection() =>
        Assert.Equal(Golden("sw-description-selection.v1"), Encoding.ASCII.GetString(Make(selection: new SwuSelection("stable", "main"), revisions: ["1.0", "2.0"]).ToBytes()));

    private const string ScriptSha = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

    private static SwDescription WithScript(string name = "atym-await-install.sh", string sha = ScriptSha) =>
        new("1.2.0", "atym offline export", new EquatableList<string>(["1.0"]),
            new EquatableList<SwuFile>([new SwuFile("atym-offline-export.tar", "/var/lib/atym/gw1/inbox/20261204T120000-offline.tar", Sha)]), null,
            new SwuScript(name, sha));

    [Fact]
    public void Writes_the_golden_manifest_with_a_postinstall_script() =>
        Assert.Equal(Golden("sw-description-script.v1"), Encoding.ASCII.GetString(WithScript().ToBytes()));

    [Theory]
    [InlineData("../x.sh", ScriptSha)]
    [InlineData("a b.sh", ScriptSha)]
    [InlineData("x.sh\"; type = \"shellscript", ScriptSha)]
    [InlineData("sw-description", ScriptSha)]
    [InlineData("atym-offline-export.tar", ScriptSha)]
    [InlineData("x.sh", "ABC")]
    public void Refuses_a_script_entry_that_could_change_the_manifest_or_collide(string name, string sha) =>
        Assert.Throws<ArgumentException>(() => WithScript(name, sha));

    [Theory]
    [InlineData("1.0\"; images: ( { filename = \"x\"; } ); x = \"")]
    [InlineData("1.0\\")]
    [InlineData("1.0\n")]
    [InlineData("")]
    public void Refuses_a_version_that_could_change_the_manifest(string version) =>
        Assert.Throws<ArgumentException>(() => Make(version: version));

    [Theory]
    [InlineData("relative/x.tar")]
    [InlineData("/var/lib/../../etc/passwd")]
    [InlineData("/var/lib/atym/inbox/")]
    [InlineData("/var/lib/atym/./inbox/x.tar")]
    public void Refuses_a_path_that_is_not_a_plain_absolute_file(string path) =>
        Assert.Throws<ArgumentException>(() => Make(path: path));

    [Theory]
    [InlineData("9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08")]
    [InlineData("abc")]
    public void Refuses_a_digest_that_is_not_lower_case_sha256(string sha) =>
        Assert.Throws<ArgumentException>(() => Make(sha: sha));

    [Fact]
    public void Refuses_no_revision_a_bad_selection_and_duplicate_entries()
    {
        Assert.Throws<ArgumentException>(() => new SwDescription("1", "", EquatableList<string>.Empty, new EquatableList<SwuFile>([new SwuFile("a", "/a", Sha)])));
        Assert.Throws<ArgumentException>(() => Make(selection: new SwuSelection("stable; x", "main")));
        Assert.Throws<ArgumentException>(() => new SwDescription("1", "", new EquatableList<string>(["1.0"]),
            new EquatableList<SwuFile>([new SwuFile("a", "/a", Sha), new SwuFile("a", "/b", Sha)])));
        Assert.Throws<ArgumentException>(() => new SwDescription("1", "", new EquatableList<string>(["1.0"]),
            new EquatableList<SwuFile>([new SwuFile("sw-description", "/a", Sha)])));
    }

    [Fact]
    public void Is_a_value() => Assert.Equal(Make(), Make());

    /// <summary>Any accepted value appears in the text exactly once per use, inside quotes: nothing escapes its string.</summary>
    [Fact]
    public void An_accepted_version_stays_inside_its_quotes()
    {
        Gen.String[Gen.Char[' ', '~'], 1, 60].Sample(version =>
        {
            SwDescription description;
            try
            {
                description = Make(version: version);
            }
            catch (ArgumentException)
            {
                Assert.True(version.Contains('"') || version.Contains('\\'));
                return;
            }
            var text = Encoding.ASCII.GetString(description.ToBytes());
            Assert.Contains($"\tversion = \"{version}\";\n", text);
            Assert.Equal(Golden("sw-description.v1").Count(c => c == '"'), text.Count(c => c == '"'));
        }, iter: 300);
    }
}
