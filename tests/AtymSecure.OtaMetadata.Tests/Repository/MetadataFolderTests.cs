using AtymSecure.OtaMetadata.Repository;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaMetadata.Tests.Repository;

public class MetadataFolderTests
{
    [Fact]
    public void A_folder_deleted_under_a_running_server_reads_as_nothing_published()
    {
        using var temp = TempFolder.Create("metadata-folder");
        var folder = new MetadataFolder(temp.File("image"));
        folder.WriteOnce("1.root.json", "{}"u8);
        Assert.Equal([1L], folder.Versions("root"));

        Directory.Delete(folder.Path, recursive: true);
        Assert.Null(folder.Read("1.root.json"));
        Assert.Empty(folder.Versions("root"));
        Assert.False(folder.Exists("1.root.json"));
    }

    [Theory]
    [InlineData("../1.root.json")]
    [InlineData("1.root.json/..")]
    [InlineData("/etc/passwd")]
    [InlineData("a..json")]
    public void Names_outside_the_grammar_are_never_read(string name)
    {
        using var temp = TempFolder.Create("metadata-folder");
        Assert.Null(new MetadataFolder(temp.File("image")).Read(name));
    }
}
