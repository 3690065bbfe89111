using AtymSecure.Primitives;
using AtymSecure.Registry.Hosting;
using AtymSecure.TestSupport;

namespace AtymSecure.Registry.Tests.Hosting;

/// <summary>The blob options: checked before anything starts, and never printed with their secret.</summary>
public sealed class RegistryBlobOptionsTests
{
    [Fact]
    public void A_bad_blob_url_and_a_redirect_without_an_object_store_are_problems_of_their_options()
    {
        var errors = new RegistryOptions { Blobs = "s3://abc?path_style=1" }.Validate();
        var problem = Assert.Single(errors);
        Assert.Equal((RegistryOptionProblemCodes.InvalidBlobLocation, "blobs"), (problem.Code, problem.Path));
        Assert.Contains("unknown parameter 'path_style'", problem.Message, StringComparison.Ordinal);
        var redirect = Assert.Single(new RegistryOptions { RedirectBlobDownloads = true }.Validate());
        Assert.Equal((RegistryOptionProblemCodes.Required, "blobs"), (redirect.Code, redirect.Path));
        var expiry = Assert.Single(new RegistryOptions { Blobs = "s3://abc", BlobRedirectExpiry = TimeSpan.FromDays(8) }.Validate());
        Assert.Equal("blobRedirectExpiry", expiry.Path);
    }

    [Fact]
    public void Printed_options_never_show_the_secret_of_a_url()
    {
        var options = new RegistryOptions { Blobs = "s3://AKID:TOPSECRET@bucket?endpoint=http://127.0.0.1:7480" };
        var text = options.ToString();
        Assert.DoesNotContain("TOPSECRET", text, StringComparison.Ordinal);
        Assert.Contains("Blobs = s3://***@bucket?endpoint=http://127.0.0.1:7480", text, StringComparison.Ordinal);
        Assert.Contains("ListenUrl = http://127.0.0.1:5000", text, StringComparison.Ordinal);
        Assert.Equal("http://127.0.0.1:7480/x", RegistryOptions.WithoutUserInfo("http://127.0.0.1:7480/x"));
        Assert.Equal("postgres://***@db/x", RegistryOptions.WithoutUserInfo("postgres://u:p@ss@db/x"));
    }

    [Fact]
    public void Blob_urls_without_credentials_anywhere_stop_the_start_as_an_option_problem()
    {
        using var folder = TempFolder.Create("nocreds");
        var saved = (Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"), Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY"));
        if (saved.Item1 is not null || saved.Item2 is not null) return; // a developer's own keys: the environment case is covered in ObjectStore.Tests
        var error = Assert.Throws<InvalidOptionsException>(() =>
            RegistryServer.Build(new RegistryOptions { DataDirectory = folder.Path, Blobs = "s3://bucket?endpoint=http://127.0.0.1:9" }));
        var problem = Assert.Single(error.Problems);
        Assert.Equal("blobs", problem.Path);
        Assert.Contains("AWS_ACCESS_KEY_ID", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_options_file_takes_the_blob_keys()
    {
        using var folder = TempFolder.Create("blobopts");
        var yaml = folder.Write("registry.yaml", "blobs: s3://bucket?endpoint=http://127.0.0.1:7480\nredirectBlobDownloads: true\nblobRedirectExpiry: \"00:05:00\"\n"u8.ToArray());
        var options = RegistryOptionsFile.Load(yaml);
        Assert.Equal("s3://bucket?endpoint=http://127.0.0.1:7480", options.Blobs);
        Assert.True(options.RedirectBlobDownloads);
        Assert.Equal(TimeSpan.FromMinutes(5), options.BlobRedirectExpiry);
    }
}
