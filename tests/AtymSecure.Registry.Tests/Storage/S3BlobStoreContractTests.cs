using AtymSecure.ObjectStore;
using AtymSecure.Registry.Storage;
using AtymSecure.TestSupport;

namespace AtymSecure.Registry.Tests.Storage;

/// <summary>The blob store contract on a real Ceph RADOS Gateway (a fresh bucket per test), with small chunk objects so
/// uploads span several of them; parts stay at the 8 MiB minimum so the 17 MiB blob is a three-part multipart upload.</summary>
[Trait("Requires", "s3")]
public sealed class S3BlobStoreContractTests : BlobStoreContract
{
    private readonly S3BlobStore _store;

    public S3BlobStoreContractTests()
    {
        var objects = S3ObjectStore.Open(CephObjectGateway.Shared.Url(CephObjectGateway.NewBucketName("contract")));
        objects.CreateBucketAsync().GetAwaiter().GetResult();
        _store = new S3BlobStore(objects, new S3BlobStoreOptions { ChunkSize = 1 << 20, PartSize = 8 << 20 });
    }

    protected override IBlobStore Store => _store;

    protected override int PropertyIterations => 8;

    public override void Dispose() => _store.Dispose();
}
