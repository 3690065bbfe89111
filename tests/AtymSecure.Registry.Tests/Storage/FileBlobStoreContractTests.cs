using AtymSecure.Registry.Storage;
using AtymSecure.TestSupport;

namespace AtymSecure.Registry.Tests.Storage;

/// <summary>The blob store contract on files (the default backend).</summary>
public sealed class FileBlobStoreContractTests : BlobStoreContract
{
    private readonly TempFolder _folder = TempFolder.Create("blobstore");

    public FileBlobStoreContractTests() => Store = new FileBlobStore(_folder.Path, fsync: false);

    protected override IBlobStore Store { get; }

    public override void Dispose() => _folder.Dispose();
}
