using AtymSecure.TestSupport;

namespace AtymSecure.Postgres.Tests;

/// <summary>What a store says at start when its database cannot be opened: which store, which URL (no password), why.</summary>
public sealed class PostgresPoolTests
{
    private static readonly SchemaMigrator Schema = new("sample store", "sample_schema_migrations", 0x73616e, [new(1, "nothing", "SELECT 1")]);

    [Fact]
    public void A_server_that_does_not_answer_is_a_store_connection_error_naming_the_url_without_its_password()
    {
        var port = LoopbackPort.Next(); // free: nothing listens there
        var refused = Assert.Throws<StoreConnectionException>(() => PostgresPool.Open($"postgres://reg:s3cret@127.0.0.1:{port}/registry", Schema));
        Assert.StartsWith($"the sample store cannot open its PostgreSQL database postgres://reg:***@127.0.0.1:{port}/registry: the server cannot be reached",
            refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_url_is_a_format_error_before_any_connection() =>
        Assert.Contains("names no database", Assert.Throws<FormatException>(() => PostgresPool.Open("postgres://reg@127.0.0.1:1/", Schema)).Message,
            StringComparison.Ordinal);

    [Fact]
    [Trait("Requires", "postgres")]
    public void A_database_the_server_does_not_have_is_a_store_connection_error_with_the_servers_reason()
    {
        var refused = Assert.Throws<StoreConnectionException>(() => PostgresPool.Open(PostgresServer.Shared.Url("no_such_database"), Schema));
        Assert.Contains("the server refused: database \"no_such_database\" does not exist (SQLSTATE 3D000)", refused.Message, StringComparison.Ordinal);
    }
}
