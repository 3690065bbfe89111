using CsCheck;

namespace AtymSecure.Postgres.Tests;

/// <summary>
/// Any text given as <c>--store</c> (an operator's typo, a pasted secret): the parser gives a connection string or a
/// <see cref="FormatException"/>, never another exception, and neither its message nor <see cref="PostgresConnectionUrl.Redact"/>
/// shows a password.
/// </summary>
public sealed class PostgresConnectionUrlFuzzTests
{
    private static Gen<string> Pick(params string[] items) => Gen.Int[0, items.Length - 1].Select(i => items[i]);

    private static readonly Gen<string> Part = Gen.OneOf(
        Pick("postgres://", "postgresql://", "mysql://", "://", "@", ":", "/", "?", "#", "%", "%40", "%2F", "%00", "%0a", "[", "]", "::1", "127.0.0.1", "db", "u",
            "5432", "65536", "-1", " ", "\u00e9", "\0"),
        Gen.String[Gen.Char[' ', '~'], 0, 8]);

    private static readonly Gen<string> Url = Part.Array[1, 8].Select(parts => string.Concat(parts));

    [Fact]
    public void Any_text_parses_or_is_refused_with_a_format_exception() =>
        Url.Sample(url =>
        {
            try
            {
                Assert.False(string.IsNullOrEmpty(PostgresConnectionUrl.ToConnectionString(url)));
            }
            catch (FormatException)
            {
            }
        }, iter: 3000);

    [Fact]
    public void A_password_never_shows_in_a_refusal_or_a_redacted_url() =>
        Gen.Select(Url, Gen.String[Gen.Char['a', 'z'], 12, 16]).Sample((tail, secret) =>
        {
            var url = $"postgres://user:{secret}@" + tail;
            Assert.DoesNotContain(secret, PostgresConnectionUrl.Redact(url), StringComparison.Ordinal);
            try
            {
                PostgresConnectionUrl.ToConnectionString(url);
            }
            catch (FormatException e)
            {
                Assert.DoesNotContain(secret, e.Message, StringComparison.Ordinal);
            }
        }, iter: 2000);
}
