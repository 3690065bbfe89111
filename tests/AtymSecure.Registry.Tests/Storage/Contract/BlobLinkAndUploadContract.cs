using AtymSecure.Registry.Storage;
using static AtymSecure.Registry.Tests.Storage.Contract.MetadataSamples;

namespace AtymSecure.Registry.Tests.Storage.Contract;

/// <summary>What every <see cref="IMetadataStore"/> does with blob links and upload sessions.</summary>
public abstract class BlobLinkAndUploadContract(IMetadataStoreFixture fixture) : IDisposable
{
    private IMetadataStore _store = fixture.Open();

    public void Dispose()
    {
        fixture.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void A_blob_link_is_added_once_per_repository_and_survives_a_restart()
    {
        var blob = DigestOf("blob");
        Assert.False(_store.HasBlobLink("app", blob));
        _store.AddBlobLink("app", blob);
        _store.AddBlobLink("app", blob);
        Assert.True(_store.RepositoryExists("app"));
        _store = fixture.Reopen();
        Assert.True(_store.HasBlobLink("app", blob));
        Assert.False(_store.HasBlobLink("other", blob));
        Assert.Equal(["app"], _store.RepositoriesWithBlob(blob));
    }

    [Fact]
    public void Repositories_with_a_blob_list_in_ordinal_order()
    {
        var blob = DigestOf("shared");
        foreach (var repository in new[] { "zeta", "app/sub", "Alpha", "app", "app-2" }) _store.AddBlobLink(repository, blob);
        _store.AddBlobLink("unrelated", DigestOf("other"));
        Assert.Equal(["Alpha", "app", "app-2", "app/sub", "zeta"], _store.RepositoriesWithBlob(blob));
        Assert.Empty(_store.RepositoriesWithBlob(DigestOf("absent")));
    }

    [Fact]
    public void Removing_a_link_says_whether_it_was_there_and_removing_all_takes_every_repository()
    {
        var blob = DigestOf("blob");
        var other = DigestOf("other");
        _store.AddBlobLink("app", blob);
        _store.AddBlobLink("lib", blob);
        _store.AddBlobLink("app", other);
        Assert.True(_store.RemoveBlobLink("app", blob));
        Assert.False(_store.RemoveBlobLink("app", blob));
        Assert.False(_store.HasBlobLink("app", blob));
        Assert.True(_store.HasBlobLink("lib", blob));
        _store.RemoveAllBlobLinks(blob);
        _store.RemoveAllBlobLinks(DigestOf("absent"));
        _store = fixture.Reopen();
        Assert.Empty(_store.RepositoriesWithBlob(blob));
        Assert.False(_store.RepositoryExists("lib"));
        Assert.True(_store.HasBlobLink("app", other));
    }

    [Fact]
    public void An_upload_session_reads_back_lists_by_id_survives_a_restart_and_is_removed_once()
    {
        Assert.Null(_store.GetUpload("u2"));
        Assert.Empty(_store.ListUploads());
        _store.AddUpload(Upload("u2", "app"));
        _store.AddUpload(Upload("u1", "lib"));
        _store.AddUpload(new UploadSessionRecord { Id = "u3", Repository = "app", Algorithm = "sha512", CreatedUnixMs = 42 });
        _store = fixture.Reopen();
        Assert.Equal(["u1", "u2", "u3"], _store.ListUploads().Select(u => u.Id));
        var read = _store.GetUpload("u3")!;
        Assert.Equal(("u3", "app", "sha512", 42L), (read.Id, read.Repository, read.Algorithm, read.CreatedUnixMs));
        _store.RemoveUpload("u3");
        _store.RemoveUpload("u3");
        _store.RemoveUpload("never");
        Assert.Null(_store.GetUpload("u3"));
        Assert.Equal(["u1", "u2"], _store.ListUploads().Select(u => u.Id));
        // A session is no repository content.
        Assert.False(_store.RepositoryExists("lib"));
    }

    [Fact]
    public void A_second_session_with_a_taken_id_is_refused_and_the_first_is_kept()
    {
        _store.AddUpload(Upload("u1", "app"));
        var refused = Assert.Throws<UploadIdTakenException>(() => _store.AddUpload(Upload("u1", "other")));
        Assert.Equal("u1", refused.Id);
        Assert.Equal("app", _store.GetUpload("u1")!.Repository);
    }
}
