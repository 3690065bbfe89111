using System.Text;
using AtymSecure.Primitives;
using AtymSecure.Registry.Gc;
using AtymSecure.Registry.Storage;
using AtymSecure.Registry.Storage.Postgres;
using AtymSecure.TestSupport;
using static AtymSecure.Registry.Tests.Storage.Contract.MetadataSamples;

namespace AtymSecure.Registry.Tests.Storage.Postgres;

/// <summary>
/// Replicas share the database; garbage collection gets it alone (as LiteDB's lock file gives one process the folder):
/// refused while any registry serves it, and a registry does not start while a collection runs.
/// </summary>
[Trait("Requires", "postgres")]
public sealed class RegistryProcessLockTests : IDisposable
{
    private readonly PostgresMetadataStoreFixture _fixture = new();
    private readonly TempFolder _data = TempFolder.Create("registry-gc");

    public void Dispose()
    {
        _fixture.Dispose();
        _data.Dispose();
    }

    [Fact]
    public void Serving_registries_share_the_store_and_exclude_a_collection_until_the_last_one_closes()
    {
        var first = new PostgresMetadataStore(_fixture.Url);
        using (var second = new PostgresMetadataStore(_fixture.Url))
        {
            first.Dispose();
            var refused = Assert.Throws<IOException>(() => new PostgresMetadataStore(_fixture.Url, MetadataStoreAccess.Exclusive));
            Assert.Contains("in use by a running registry", refused.Message, StringComparison.Ordinal);
        }
        using var collecting = new PostgresMetadataStore(_fixture.Url, MetadataStoreAccess.Exclusive);
        Assert.Contains("locked by a running garbage collection", Assert.Throws<IOException>(() => new PostgresMetadataStore(_fixture.Url)).Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gc_with_the_store_is_refused_while_a_registry_serves_it_then_sweeps_what_no_manifest_references()
    {
        var blobs = new FileBlobStore(_data.Path, fsync: false);
        var kept = Encoding.UTF8.GetBytes("kept layer");
        var orphan = Encoding.UTF8.GetBytes("nobody references me");
        await blobs.PutAsync(Digest.Compute(kept), kept, CancellationToken.None);
        await blobs.PutAsync(Digest.Compute(orphan), orphan, CancellationToken.None);
        var manifest = Manifest("app", "m");
        manifest.Blobs = [Digest.Compute(kept).ToString()];
        using (var serving = new PostgresMetadataStore(_fixture.Url))
        {
            serving.PutManifest(manifest, ["v1"]);
            serving.AddBlobLink("app", Digest.Compute(orphan).ToString());
            var refused = Assert.Throws<InvalidOperationException>(() => RegistryGarbageCollector.Run(_data.Path, TimeSpan.Zero, store: _fixture.Url));
            Assert.Contains("still running", refused.Message, StringComparison.Ordinal);
        }
        var report = RegistryGarbageCollector.Run(_data.Path, TimeSpan.Zero, store: _fixture.Url);
        Assert.Equal((1, 1), (report.Manifests, report.BlobsDeleted));
        Assert.Equal([Digest.Compute(orphan)], report.Deleted);
        Assert.NotNull(blobs.TryGet(Digest.Compute(kept)));
        using var after = new PostgresMetadataStore(_fixture.Url);
        Assert.False(after.HasBlobLink("app", Digest.Compute(orphan).ToString()));
    }
}
