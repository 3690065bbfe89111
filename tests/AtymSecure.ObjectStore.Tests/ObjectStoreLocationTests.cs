using AtymSecure.ObjectStore;
using CsCheck;

namespace AtymSecure.ObjectStore.Tests;

public sealed class ObjectStoreLocationTests
{
    [Fact]
    public void A_ceph_url_gives_bucket_endpoint_region_and_path_style()
    {
        var location = ObjectStoreLocation.Parse("s3://blobs?endpoint=http://127.0.0.1:7480&region=eu-west-1&path-style=true", out var credentials);
        Assert.Equal("blobs", location.Bucket);
        Assert.Equal("", location.Prefix);
        Assert.Equal(new Uri("http://127.0.0.1:7480"), location.Endpoint);
        Assert.Equal("eu-west-1", location.Region);
        Assert.True(location.PathStyle);
        Assert.Null(credentials);
    }

    [Fact]
    public void Defaults_are_us_east_1_and_path_style_only_with_an_endpoint()
    {
        var aws = ObjectStoreLocation.Parse("s3://my.bucket");
        Assert.Equal(ObjectStoreLocation.DefaultRegion, aws.Region);
        Assert.False(aws.PathStyle);
        Assert.Null(aws.Endpoint);
        Assert.True(ObjectStoreLocation.Parse("s3://abc?endpoint=https://s3.example.com").PathStyle);
        Assert.False(ObjectStoreLocation.Parse("s3://abc?endpoint=https://s3.example.com&path-style=false").PathStyle);
    }

    [Fact]
    public void A_path_is_a_key_prefix_ending_in_a_slash()
    {
        Assert.Equal("registry/eu/", ObjectStoreLocation.Parse("s3://shared/registry/eu/?endpoint=http://127.0.0.1:1").Prefix);
        Assert.Equal("ota/", ObjectStoreLocation.Parse("s3://shared?endpoint=http://127.0.0.1:1").WithPrefix("ota").Prefix);
    }

    [Fact]
    public void User_info_becomes_credentials_url_decoded_and_is_never_shown()
    {
        const string url = "s3://AKID:se%2Fcr%40et@blobs?endpoint=http://127.0.0.1:7480";
        var location = ObjectStoreLocation.Parse(url, out var credentials);
        Assert.Equal(new ObjectStoreCredentials("AKID", "se/cr@et"), credentials);
        Assert.DoesNotContain("se/cr@et", location.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("cr%40et", location.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("se/cr@et", credentials!.ToString(), StringComparison.Ordinal);
        Assert.Equal("s3://blobs/?endpoint=http://127.0.0.1:7480&region=us-east-1&path-style=true", location.ToString());
    }

    [Fact]
    public void Credentials_come_from_the_url_first_then_the_environment_and_missing_ones_are_an_error()
    {
        var environment = new Dictionary<string, string?> { ["AWS_ACCESS_KEY_ID"] = "ENVKEY", ["AWS_SECRET_ACCESS_KEY"] = "envsecret" };
        Assert.Equal(new ObjectStoreCredentials("U", "S"), ObjectStoreCredentials.Resolve(new ObjectStoreCredentials("U", "S"), environment.GetValueOrDefault));
        Assert.Equal(new ObjectStoreCredentials("ENVKEY", "envsecret"), ObjectStoreCredentials.Resolve(null, environment.GetValueOrDefault));
        var missing = Assert.Throws<ObjectStoreException>(() => ObjectStoreCredentials.Resolve(null, _ => null));
        Assert.Equal(ObjectStoreError.InvalidLocation, missing.Error);
        Assert.Contains("AWS_ACCESS_KEY_ID", missing.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("http://bucket", "must start with s3://")]
    [InlineData("s3://Upper", "not a bucket name")]
    [InlineData("s3://ab", "not a bucket name")]
    [InlineData("s3://-abc", "not a bucket name")]
    [InlineData("s3://a..b", "not a bucket name")]
    [InlineData("s3://abc?endpoint=ftp://x", "not an http(s) URL")]
    [InlineData("s3://abc?endpoint=http://x/path", "not an http(s) URL")]
    [InlineData("s3://abc?endpoint=http://u:p@x", "not an http(s) URL")]
    [InlineData("s3://abc?path_style=true", "unknown parameter 'path_style'")]
    [InlineData("s3://abc?path-style=yes", "not true or false")]
    [InlineData("s3://abc?region=a/b", "not a region name")]
    [InlineData("s3://abc?region=x&region=y", "given twice")]
    [InlineData("s3://abc/../etc", "key prefix")]
    [InlineData("s3://abc/a//b", "key prefix")]
    [InlineData("s3://:secret@abc", "ACCESS_KEY:SECRET_KEY")]
    [InlineData("s3://key@abc", "ACCESS_KEY:SECRET_KEY")]
    [InlineData("s3://abc#frag", "fragment")]
    public void Bad_urls_are_refused_with_what_is_wrong(string url, string expected)
    {
        var error = Assert.Throws<ObjectStoreException>(() => ObjectStoreLocation.Parse(url));
        Assert.Equal(ObjectStoreError.InvalidLocation, error.Error);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_never_appears_in_an_error_about_the_rest_of_the_url()
    {
        var error = Assert.Throws<ObjectStoreException>(() => ObjectStoreLocation.Parse("s3://AKID:TOPSECRET@abc?colour=blue"));
        Assert.DoesNotContain("TOPSECRET", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Hostile URLs (random printable text around the shape of a valid one): parsing either succeeds with a valid bucket and
    /// prefix or fails with <see cref="ObjectStoreError.InvalidLocation"/>; never another exception, never a secret in the text.</summary>
    [Fact]
    public void Parsing_any_text_gives_a_location_or_an_invalid_location_error()
    {
        var piece = Gen.OneOf(Gen.Const("s3://"), Gen.Const("ab-c"), Gen.Const("/"), Gen.Const("?"), Gen.Const("&"), Gen.Const("="),
            Gen.Const("endpoint"), Gen.Const("http://127.0.0.1:80"), Gen.Const("region"), Gen.Const("path-style"), Gen.Const("true"),
            Gen.Const("%2F"), Gen.Const("%"), Gen.Const(".."), Gen.Const(":"), Gen.Const("@"), Gen.Const("#"),
            Gen.String[Gen.Char[' ', '~'], 0, 6].Where(t => !t.Contains('X', StringComparison.Ordinal)));
        var head = Gen.OneOf(Gen.Const("s3://"), Gen.Const("s3://AK:SECRETX@"));
        Gen.Select(head, piece.Array[0, 12]).Select((h, rest) => h + string.Concat(rest)).Sample(url =>
        {
            try
            {
                var location = ObjectStoreLocation.Parse(url, out _);
                Assert.True(location.Bucket.Length is >= 3 and <= 63);
                Assert.True(location.Prefix.Length == 0 || (location.Prefix.EndsWith('/') && ObjectKeys.IsValid(location.Prefix)));
                Assert.DoesNotContain("SECRETX", location.ToString(), StringComparison.Ordinal);
            }
            catch (ObjectStoreException e)
            {
                Assert.Equal(ObjectStoreError.InvalidLocation, e.Error);
                Assert.DoesNotContain("SECRETX", e.Message, StringComparison.Ordinal);
            }
        }, iter: 2000);
    }
}
