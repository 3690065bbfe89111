using AtymSecure.TestSupport;

namespace AtymSecure.Policies.Tests.Diff;

/// <summary>
/// A before/after pair of Fixtures/diff: <c>before</c> is <c>base/</c>, <c>after</c> is <c>base/</c> with the fixture's
/// <c>after/</c> files laid over it; <c>expected.md</c> is the reviewed output of <c>atym policy diff before after</c> and
/// <c>expected-exit</c> its exit code.
/// </summary>
internal sealed class DiffFixture : IDisposable
{
    private readonly TempFolder _folder;

    private DiffFixture(string name)
    {
        Name = name;
        _folder = TempFolder.Create("policy-diff");
        var root = Path.Combine(TestPaths.DiffFixtures, name);
        Copy(Path.Combine(TestPaths.DiffFixtures, "base"), Before);
        Copy(Path.Combine(TestPaths.DiffFixtures, "base"), After);
        Copy(Path.Combine(root, "after"), After);
        ExpectedMarkdown = File.ReadAllText(Path.Combine(root, "expected.md"));
        ExpectedExit = int.Parse(File.ReadAllText(Path.Combine(root, "expected-exit")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public string Name { get; }

    /// <summary>The folder holding <c>before/</c> and <c>after/</c> (run the diff there to print those names).</summary>
    public string Root => _folder.Path;

    public string Before => _folder.File("before");

    public string After => _folder.File("after");

    public string ExpectedMarkdown { get; }

    public int ExpectedExit { get; }

    public static IEnumerable<string> Names =>
        Directory.GetDirectories(TestPaths.DiffFixtures).Select(d => Path.GetFileName(d)!).Where(n => n != "base").Order(StringComparer.Ordinal);

    public static DiffFixture Open(string name) => new(name);

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
    }

    public void Dispose() => _folder.Dispose();
}
