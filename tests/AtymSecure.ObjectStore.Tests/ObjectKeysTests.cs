using AtymSecure.ObjectStore;

namespace AtymSecure.ObjectStore.Tests;

public sealed class ObjectKeysTests
{
    [Theory]
    [InlineData("blobs/sha256/ab/abcd", true)]
    [InlineData("uploads/0123/000000000000000", true)]
    [InlineData("dir/", true)]
    [InlineData("", false)]
    [InlineData("/leading", false)]
    [InlineData("a//b", false)]
    [InlineData("a/../b", false)]
    [InlineData("./a", false)]
    [InlineData("with space", false)]
    [InlineData("back\\slash", false)]
    [InlineData("nul\0", false)]
    [InlineData("ünïcode", false)]
    public void Keys_are_printable_ascii_paths_without_tricks(string key, bool valid) => Assert.Equal(valid, ObjectKeys.IsValid(key));

    [Fact]
    public void A_key_of_901_characters_is_too_long() => Assert.False(ObjectKeys.IsValid(new string('a', 901)));
}
