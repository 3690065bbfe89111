using AtymSecure.Policies.Loading;
using AtymSecure.Primitives;

namespace AtymSecure.Policies.Tests;

/// <summary>Reads policy text written in a test as if it were a file called <c>test.yaml</c>.</summary>
internal static class PolicyText
{
    public static (PolicyDocument? Document, List<Problem> Problems) Read(string yaml)
    {
        var problems = new List<Problem>();
        var document = PolicyDocumentReader.Read("test.yaml", System.Text.Encoding.UTF8.GetBytes(yaml), problems);
        return (document, problems);
    }

    /// <summary>A set of files (name → text) loaded together.</summary>
    public static PolicyFolder Load(params (string Name, string Text)[] files) =>
        PolicySetLoader.Load([.. files.Select(f => new PolicySourceFile(f.Name, f.Name, System.Text.Encoding.UTF8.GetBytes(f.Text)))]);

    public const string Key1 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    public const string Key2 = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    public const string Key3 = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
}
