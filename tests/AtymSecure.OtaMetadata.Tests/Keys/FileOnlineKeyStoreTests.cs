using AtymSecure.OtaMetadata.Keys;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaMetadata.Tests.Keys;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes are the point of these tests
public sealed class FileOnlineKeyStoreTests : IDisposable
{
    private readonly TempFolder _folder = TempFolder.Create("online-keys");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Keys_are_owner_only_files_that_load_back_in_generation_order()
    {
        using (var store = new FileOnlineKeyStore(_folder.Path))
        {
            store.EnsureKey(OnlineRole.Timestamp);
            store.Generate(OnlineRole.Timestamp);
        }
        using var reopened = new FileOnlineKeyStore(_folder.Path);

        var keys = reopened.Keys(OnlineRole.Timestamp);
        Assert.Equal([1, 2], keys.Select(k => k.Generation));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_folder.File("timestamp.1.key")));
        Assert.True(File.Exists(_folder.File("timestamp.2.pub")));
        Assert.Empty(reopened.Keys(OnlineRole.Snapshot));
        var signature = keys[1].Sign([1, 2, 3]);
        Assert.True(keys[1].PublicKey.VerificationKey.Verify([1, 2, 3], signature));
    }

    [Fact]
    public void A_key_file_readable_by_others_is_refused()
    {
        using (var store = new FileOnlineKeyStore(_folder.Path)) store.EnsureKey(OnlineRole.Compiler);
        File.SetUnixFileMode(_folder.File("compiler.1.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var refused = Assert.Throws<ProblemException>(() => new FileOnlineKeyStore(_folder.Path));

        Assert.Equal(FileOnlineKeyStore.KeyProblem, refused.Problems[0].Code);
        Assert.Contains("0600", refused.Problems[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_damaged_key_file_is_refused_with_its_path()
    {
        using (var store = new FileOnlineKeyStore(_folder.Path)) store.EnsureKey(OnlineRole.Snapshot);
        File.WriteAllText(_folder.File("snapshot.1.key"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

        var refused = Assert.Throws<ProblemException>(() => new FileOnlineKeyStore(_folder.Path));

        Assert.EndsWith("snapshot.1.key", refused.Problems[0].Path, StringComparison.Ordinal);
    }
}
