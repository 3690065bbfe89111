using AtymSecure.TestSupport;

namespace AtymSecure.Policies.Tests;

/// <summary>Committed files the tests read: the samples' policy set, goldens and diff fixtures.</summary>
internal static class TestPaths
{
    public static string File(string relative) => RepositoryRoot.File(relative);

    public static string SamplePolicies => File("policies/samples");

    public static string Golden(string relative) => File(Path.Combine("tests/AtymSecure.Policies.Tests/Golden", relative));

    public static string DiffFixtures => File("tests/AtymSecure.Policies.Tests/Fixtures/diff");
}
