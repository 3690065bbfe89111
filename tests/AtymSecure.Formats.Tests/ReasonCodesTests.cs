using System.Reflection;
using AtymSecure.TestSupport;

namespace AtymSecure.Formats.Tests;

/// <summary>The reason codes are one list (docs/trust-model.md §3): every code is in the documented table, and one name means one code.</summary>
public class ReasonCodesTests
{
    private static IEnumerable<(string Name, string Code)> Codes() =>
        typeof(ReasonCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (f.Name, (string)f.GetRawConstantValue()!));

    [Fact]
    public void Every_code_is_documented_in_the_trust_model_table()
    {
        var doc = File.ReadAllText(RepositoryRoot.File("docs/trust-model.md"));
        foreach (var (_, code) in Codes())
            Assert.Contains($"`{code}`", doc, StringComparison.Ordinal);
    }

    [Fact]
    public void No_two_names_share_a_code()
    {
        var codes = Codes().ToList();
        Assert.Equal(codes.Count, codes.Select(c => c.Code).Distinct(StringComparer.Ordinal).Count());
    }
}
