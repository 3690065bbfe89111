using AtymSecure.ObjectStore;
using AtymSecure.TestSupport;

namespace AtymSecure.ObjectStore.Tests;

/// <summary>A fresh bucket on the test process's Ceph gateway, opened through its s3:// URL as a server would.</summary>
internal static class GatewayBucket
{
    public static async Task<S3ObjectStore> CreateAsync(string purpose, string? prefix = null)
    {
        var gateway = CephObjectGateway.Shared;
        var bucket = CephObjectGateway.NewBucketName(purpose);
        var url = gateway.Url(bucket);
        if (prefix is not null) url = url.Replace($"{bucket}?", $"{bucket}/{prefix}?", StringComparison.Ordinal);
        var store = S3ObjectStore.Open(url);
        await store.CreateBucketAsync();
        return store;
    }
}
