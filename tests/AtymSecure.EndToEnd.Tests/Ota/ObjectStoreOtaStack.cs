using AtymSecure.ObjectStore;
using AtymSecure.TestSupport;

namespace AtymSecure.EndToEnd.Tests.Ota;

[CollectionDefinition(Name)]
public sealed class ObjectStoreOtaStackCollection : ICollectionFixture<ObjectStoreOtaStack>
{
    public const string Name = "OTA stack on PostgreSQL and S3 (processes)";
}

/// <summary>
/// The <see cref="OtaStack"/> as a scaled-out deployment runs it (issue 17 §1): <c>atym ota serve --store postgres://…</c>
/// on the test process's PostgreSQL and <c>blobs: s3://…</c> on its Ceph RADOS Gateway (a fresh database and bucket,
/// the keys from <c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>), with two versions of the sample.
/// </summary>
public sealed class ObjectStoreOtaStack : OtaStack
{
    public ObjectStoreOtaStack() : this(PostgresServer.Shared.CreateDatabase("ota_blobs"), CephObjectGateway.NewBucketName("ota-e2e")) { }

    private ObjectStoreOtaStack(string database, string bucket) : base(new OtaStackSetup(
        new HashSet<string>(StringComparer.Ordinal) { "1.0.0", "1.1.0" },
        PostgresServer.Shared.Url(database),
        BucketUrl(bucket),
        CephObjectGateway.CredentialEnvironment))
    {
        Database = database;
        using var store = S3ObjectStore.Open(CephObjectGateway.Shared.Url(bucket));
        store.CreateBucketAsync().GetAwaiter().GetResult();
        Bucket = S3ObjectStore.Open(BucketUrl(bucket), CephObjectGateway.CredentialEnvironment.GetValueOrDefault);
    }

    /// <summary>The bucket under the <c>ota</c> prefix, without the keys in the URL (the server takes them from its environment).</summary>
    private static string BucketUrl(string bucket) =>
        CephObjectGateway.Shared.Url(bucket, withCredentials: false).Replace($"{bucket}?", $"{bucket}/ota?", StringComparison.Ordinal);

    public string Database { get; }

    /// <summary>The server's bucket (under its prefix), for the test to look inside.</summary>
    public S3ObjectStore Bucket { get; }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Bucket.Dispose();
        PostgresServer.Shared.DropDatabase(Database);
    }
}
