namespace AtymSecure.Postgres;

/// <summary>One numbered step of a store's schema: its DDL, run once in the transaction that records it.</summary>
public sealed record SchemaMigration(int Version, string Description, string Sql);
