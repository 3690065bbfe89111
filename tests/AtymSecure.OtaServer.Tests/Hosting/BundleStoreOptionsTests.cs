using AtymSecure.OtaServer.Hosting;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaServer.Tests.Hosting;

/// <summary>The <c>blobs</c> options (issue 17 §1): validated with the others, loaded from the options file, and a bucket
/// that is not there stops the start with a typed error.</summary>
public sealed class BundleStoreOptionsTests : IDisposable
{
    private readonly TempFolder _folder = TempFolder.Create("ota-blob-options");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Bundles_stay_in_the_data_folder_by_default()
    {
        var options = new OtaServerOptions();
        Assert.Null(options.Blobs);
        Assert.False(options.RedirectBundleDownloads);
        Assert.Empty(options.Validate());
    }

    [Theory]
    [InlineData("s3://Bad_Bucket?endpoint=http://127.0.0.1:7480", "invalid-blob-location")]
    [InlineData("s3://bucket?endpoint=http://127.0.0.1:7480&colour=blue", "invalid-blob-location")]
    [InlineData("http://bucket/", "invalid-blob-location")]
    public void An_unusable_blob_location_is_refused_by_name(string url, string code)
    {
        var problem = Assert.Single(new OtaServerOptions { Blobs = url }.Validate());
        Assert.Equal((code, "blobs"), (problem.Code, problem.Path));
    }

    [Fact]
    public void Redirects_need_an_object_store_and_an_expiry_a_presigned_url_can_have()
    {
        var e = Assert.Throws<InvalidOptionsException>(() => new OtaServerOptions { RedirectBundleDownloads = true, BundleRedirectExpiry = TimeSpan.FromDays(8) }.EnsureValid());
        Assert.Equal([("required", "blobs"), ("out-of-range", "bundleRedirectExpiry")], e.Problems.Select(p => (p.Code, p.Path)));
        Assert.Empty(new OtaServerOptions { Blobs = "s3://bucket/ota?endpoint=http://127.0.0.1:7480", RedirectBundleDownloads = true }.Validate());
    }

    [Fact]
    public void The_options_file_takes_the_same_names()
    {
        var file = _folder.File("ota.json");
        File.WriteAllText(file, """
            { "blobs": "s3://atym-blobs/ota?endpoint=http://127.0.0.1:7480", "redirectBundleDownloads": true, "bundleRedirectExpiry": "00:01:00" }
            """);
        var options = OtaServerOptionsFile.Load(file);
        Assert.Equal(("s3://atym-blobs/ota?endpoint=http://127.0.0.1:7480", true, TimeSpan.FromMinutes(1)),
            (options.Blobs, options.RedirectBundleDownloads, options.BundleRedirectExpiry));
    }
}
