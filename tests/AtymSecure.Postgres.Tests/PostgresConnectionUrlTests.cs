using AtymSecure.Postgres;
using Npgsql;

namespace AtymSecure.Postgres.Tests;

/// <summary>The <c>postgres://user@host:port/db</c> form of <c>--store</c> and the config files' <c>store</c> (OTA server and registry).</summary>
public sealed class PostgresConnectionUrlTests
{
    [Fact]
    public void A_url_becomes_the_connection_string_of_its_parts()
    {
        var parsed = new NpgsqlConnectionStringBuilder(PostgresConnectionUrl.ToConnectionString("postgres://ota@db.internal:6432/ota_fleet"));
        Assert.Equal(("db.internal", 6432, "ota", "ota_fleet", (string?)null), (parsed.Host, parsed.Port, parsed.Username, parsed.Database, parsed.Password));
        var withPassword = new NpgsqlConnectionStringBuilder(PostgresConnectionUrl.ToConnectionString("postgresql://ota:p%40ss@127.0.0.1/ota"));
        Assert.Equal(("p@ss", 5432), (withPassword.Password, withPassword.Port));
    }

    [Theory]
    [InlineData("postgres://ota@host:5432/", "names no database")]
    [InlineData("postgres://ota@host:5432", "names no database")]
    [InlineData("postgres://ota@host/a/b", "names no database")]
    [InlineData("postgres://ota@host/db?sslmode=require", "query parameters are not supported")]
    [InlineData("mysql://ota@host/db", "is not a postgres://")]
    [InlineData("postgres://", "is not a postgres://")]
    [InlineData("postgres://ota@host/db\u0000", "contains a control character")]
    [InlineData("postgres://o\nta@host/db", "contains a control character")]
    [InlineData("postgres://ota@host/d%00b", "encodes a control character")]
    public void A_malformed_url_is_refused_saying_what_is_wrong(string url, string expected) =>
        Assert.Contains(expected, Assert.Throws<FormatException>(() => PostgresConnectionUrl.ToConnectionString(url)).Message, StringComparison.Ordinal);

    [Fact]
    public void A_refusal_never_shows_the_password() =>
        Assert.DoesNotContain("secret", Assert.Throws<FormatException>(() => PostgresConnectionUrl.ToConnectionString("postgres://ota:secret@host/")).Message,
            StringComparison.Ordinal);
}
