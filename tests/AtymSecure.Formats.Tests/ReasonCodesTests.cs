using System.Reflection;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.TestSupport;

namespace AtymSecure.Formats.Tests;

/// <summary>The reason codes are one list (docs/trust-model.md §3): every code is in the documented table, and one name means one code.</summary>
public class ReasonCodesTests
{
    private static IEnumerable<(string Name, string Code)> Codes(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (f.Name, (string)f.GetRawConstantValue()!));

    [Fact]
    public void Every_code_is_documented_in_the_trust_model_table()
    {
        var doc = File.ReadAllText(RepositoryRoot.File("docs/trust-model.md"));
        foreach (var (_, code) in Codes(typeof(ReasonCodes)).Concat(Codes(typeof(MetadataReasonCodes))))
            Assert.Contains($"`{code}`", doc, StringComparison.Ordinal);
    }

    [Fact]
    public void A_code_both_lists_hold_has_the_same_name_in_both()
    {
        var bundle = Codes(typeof(ReasonCodes)).ToDictionary(c => c.Code, c => c.Name);
        foreach (var (name, code) in Codes(typeof(MetadataReasonCodes)))
            if (bundle.TryGetValue(code, out var other)) Assert.Equal(other, name);
        Assert.Equal(bundle.Count, Codes(typeof(ReasonCodes)).Count());
    }
}
