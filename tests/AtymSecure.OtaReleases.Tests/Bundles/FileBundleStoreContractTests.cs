using AtymSecure.OtaReleases.Bundles;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaReleases.Tests.Bundles;

/// <summary>The bundle store contract on the data folder (<see cref="BundleFileStore"/>, the default): the files as they
/// always were, <c>sha256/HEX.bundle</c> and <c>cuts/KEYID.json</c>.</summary>
public sealed class FileBundleStoreContractTests : BundleStoreContract, IDisposable
{
    private readonly TempFolder _folder = TempFolder.Create("bundle-store-contract");

    private string Root => Path.Combine(_folder.Path, "bundles");

    public void Dispose() => _folder.Dispose();

    protected override Task<IBundleStore> OpenAsync() => Task.FromResult<IBundleStore>(new BundleFileStore(Root));

    protected override Task Damage(string hex, byte[] bytes) => File.WriteAllBytesAsync(Path.Combine(Root, "sha256", hex + ".bundle"), bytes);

    protected override Task WriteRawEntryAsync(string keyId, byte[] bytes) => File.WriteAllBytesAsync(Path.Combine(Root, "cuts", keyId + ".json"), bytes);

    protected override async Task LeaveUnfinishedWriteAsync(string hex, byte[] bytes)
    {
        // AtomicFile's temporary name beside the bundle's: a kill -9 before the rename leaves exactly this.
        Directory.CreateDirectory(Path.Combine(Root, "sha256"));
        var temporary = Path.Combine(Root, "sha256", $".{hex}.bundle.tmp-{Guid.NewGuid():N}");
        await File.WriteAllBytesAsync(temporary, bytes[..(bytes.Length / 2)]);
        Assert.Single(Directory.EnumerateFiles(Path.Combine(Root, "sha256"), AtomicFile.TemporaryFilePattern));
    }

    [Fact]
    public async Task The_files_keep_their_names_and_a_temporary_file_is_removed_at_open()
    {
        var store = new BundleFileStore(Root);
        var location = await store.StoreAsync(await TestBundles.FullAsync(5_000, 9));
        Assert.True(File.Exists(Path.Combine(Root, "sha256", location.Sha256 + ".bundle")));
        await LeaveUnfinishedWriteAsync(new string('b', 64), new byte[10]);
        _ = new BundleFileStore(Root);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(Root, "sha256"), AtomicFile.TemporaryFilePattern));
    }
}
