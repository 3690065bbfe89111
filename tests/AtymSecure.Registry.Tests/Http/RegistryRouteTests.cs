using AtymSecure.Registry.Http;
using CsCheck;

namespace AtymSecure.Registry.Tests.Http;

public sealed class RegistryRouteTests
{
    [Theory]
    [InlineData("", RouteKind.Base, "", "")]
    [InlineData("app/blobs/sha256:ab", RouteKind.Blob, "app", "sha256:ab")]
    [InlineData("a/b/c/manifests/v1", RouteKind.Manifest, "a/b/c", "v1")]
    [InlineData("a/blobs/uploads/", RouteKind.UploadStart, "a", "")]
    [InlineData("a/blobs/uploads", RouteKind.UploadStart, "a", "")]
    [InlineData("a/blobs/uploads/0123", RouteKind.UploadSession, "a", "0123")]
    [InlineData("x/tags/list", RouteKind.TagList, "x", "")]
    [InlineData("x/referrers/sha256:1", RouteKind.Referrers, "x", "sha256:1")]
    [InlineData("blobs/blobs/blobs/x", RouteKind.Blob, "blobs/blobs", "x")]
    [InlineData("manifests/tags/list", RouteKind.TagList, "manifests", "")]
    [InlineData("org/blobs/uploads/manifests/v1", RouteKind.Manifest, "org/blobs/uploads", "v1")]
    public void Splits_name_and_suffix_from_the_end(string path, RouteKind kind, string name, string reference)
    {
        var route = RegistryRoute.Parse(path);
        Assert.Equal(new RegistryRoute(kind, name, reference), route);
    }

    [Theory]
    [InlineData("app")]
    [InlineData("app/blobs/")]
    [InlineData("app/unknown/x")]
    [InlineData("tags/list")]
    public void Non_api_paths_are_null(string path) => Assert.Null(RegistryRoute.Parse(path));

    [Fact]
    public void Never_throws_on_arbitrary_paths() =>
        Gen.String[Gen.Char["a-z/:._"], 0, 80].Sample(path => { RegistryRoute.Parse(path); }, iter: 5000);
}
