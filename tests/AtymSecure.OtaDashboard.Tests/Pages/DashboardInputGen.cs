using CsCheck;

namespace AtymSecure.OtaDashboard.Tests.Pages;

/// <summary>
/// Text as a browser (or a forged request) may send it in a query string or a form field: usually near the grammar
/// (names, numbers, <c>key=value</c> lists, percentages, durations), sometimes any UTF-16 at all (control characters,
/// lone surrogates), sometimes blank. Shared by the dashboard parsers' property tests.
/// </summary>
internal static class DashboardInputGen
{
    private const string Near = "abcxyzAZ09.-_:=,%;/ \n\t\"'<>&?#+\\";

    public static readonly Gen<string> Text = Gen.Frequency(
        (4, Gen.String[Gen.Char[Near], 0, 40]),
        (2, Pick("", " ", "eu", "site=lab", "a=b, c=d", "=x", "x=", "50%", "100%", "150%", "2", "-1", "0x10", "30s", "1h", "99999999999",
            "active", "pending", "sleeping", "portable-pulley64", "dev-000123", "rel-0123456789abcdef", "on", "off")),
        (1, Gen.String[0, 300]),
        (1, Gen.String[Gen.Char[Near], 129, 400]));

    /// <summary>One of <paramref name="items"/>.</summary>
    public static Gen<string> Pick(params string[] items) => Gen.Int[0, items.Length - 1].Select(i => items[i]);

    public static readonly Gen<string?> Optional = Gen.Frequency((1, Gen.Const((string?)null)), (4, Text.Select(t => (string?)t)));
}
