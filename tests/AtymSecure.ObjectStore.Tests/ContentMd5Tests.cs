using System.Security.Cryptography;
using AtymSecure.ObjectStore;

namespace AtymSecure.ObjectStore.Tests;

public sealed class ContentMd5Tests
{
    /// <summary>The multipart ETag of S3's documentation shape: md5 of the concatenated binary part MD5s, "-" and the part count.</summary>
    [Fact]
    public void The_multipart_etag_is_the_md5_of_the_part_md5s_and_the_count()
    {
        var a = MD5.HashData("first"u8);
        var b = MD5.HashData("second"u8);
        var expected = Convert.ToHexStringLower(MD5.HashData([.. a, .. b])) + "-2";
        Assert.Equal(expected, ContentMd5.MultipartETag([a, b]));
    }

    [Fact]
    public async Task The_md5_of_a_stream_is_from_its_position_and_the_position_is_kept()
    {
        using var stream = new MemoryStream("xxhello"u8.ToArray()) { Position = 2 };
        Assert.Equal(MD5.HashData("hello"u8), await ContentMd5.OfAsync(stream, default));
        Assert.Equal(2, stream.Position);
    }

    [Theory]
    [InlineData("\"5d41402abc4b2a76b9719d911017c592\"", true)]
    [InlineData("5D41402ABC4B2A76B9719D911017C592", true)]
    [InlineData("5d41402abc4b2a76b9719d911017c592-3", false)]
    [InlineData("zz41402abc4b2a76b9719d911017c592", false)]
    [InlineData(null, false)]
    public void Only_a_plain_etag_carries_an_md5(string? etag, bool plain) => Assert.Equal(plain, ContentMd5.TryParsePlain(etag) is not null);
}
