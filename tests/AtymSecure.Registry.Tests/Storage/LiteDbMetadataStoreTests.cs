using AtymSecure.Registry.Storage;
using AtymSecure.Registry.Tests.Storage.Contract;
using AtymSecure.TestSupport;

namespace AtymSecure.Registry.Tests.Storage;

/// <summary>The embedded store over a real database file in a fresh temp folder; one process, so its peer is itself.</summary>
public sealed class LiteDbMetadataStoreFixture : IMetadataStoreFixture
{
    private readonly TempFolder _folder = TempFolder.Create("registry-metadata");
    private LiteDbMetadataStore? _store;

    public IMetadataStore Open()
    {
        _store?.Dispose();
        _store = new LiteDbMetadataStore(_folder.Path);
        return _store;
    }

    public IMetadataStore Reopen() => Open();

    public IMetadataStore Peer() => _store ?? Open();

    public void Dispose()
    {
        _store?.Dispose();
        _folder.Dispose();
    }
}

public sealed class LiteDbManifestAndTagTests() : ManifestAndTagContract(new LiteDbMetadataStoreFixture());

public sealed class LiteDbBlobLinkAndUploadTests() : BlobLinkAndUploadContract(new LiteDbMetadataStoreFixture());

public sealed class LiteDbConcurrentWriterTests() : ConcurrentWriterContract(new LiteDbMetadataStoreFixture());

/// <summary>What only the embedded store does: one process per data folder.</summary>
public sealed class LiteDbMetadataStoreTests
{
    [Fact]
    public void A_second_store_on_the_same_folder_is_refused_while_the_first_is_open()
    {
        using var folder = TempFolder.Create("registry-metadata");
        using (new LiteDbMetadataStore(folder.Path))
            Assert.Contains("is in use by another process", Assert.Throws<IOException>(() => new LiteDbMetadataStore(folder.Path)).Message, StringComparison.Ordinal);
        using var again = new LiteDbMetadataStore(folder.Path);
    }
}
