using System.Text.Json;
using AtymSecure.TestSupport;

namespace AtymSecure.Cli.Tests.Commands;

/// <summary>
/// <c>atym ota serve --blobs s3://… [--redirect-bundle-downloads]</c>: an unusable location or a redirect without an object
/// store is refused before anything starts, naming the option; a bucket that is not there stops the start with one line
/// naming it (and never the secret).
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class OtaServeBlobsOptionTests : IDisposable
{
    private readonly TempFolder _folder = TempFolder.Create("ota-serve-blobs");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Redirects_without_an_object_store_are_refused_naming_the_option()
    {
        var run = await CliRunner.RunAsync("ota", "serve", "--data", _folder.Folder("data"), "--listen", "127.0.0.1:0", "--redirect-bundle-downloads")
            .WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("redirectBundleDownloads needs blobs", run.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unusable_blob_location_is_refused_before_anything_starts()
    {
        var run = await CliRunner.RunAsync("ota", "serve", "--data", _folder.Folder("data"), "--listen", "127.0.0.1:0",
            "--blobs", "s3://Bad_Bucket?endpoint=http://127.0.0.1:1").WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("blobs", run.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder.Path, "data", "ota.db")));
    }

    [Fact]
    [Trait("Requires", "s3")]
    public async Task A_bucket_that_is_not_there_stops_the_start_naming_it_and_not_the_secret()
    {
        var bucket = CephObjectGateway.NewBucketName("cli-missing");
        var config = _folder.File("ota.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new
        {
            dataDirectory = _folder.Folder("data"),
            listenUrl = "127.0.0.1:0",
            registry = "127.0.0.1:1",
            vendorKeyFiles = new[] { Path.Combine(RepositoryRoot.Path, "tests", "pki", "ecdsa-p256.pub") },
        }));
        var run = await CliRunner.RunAsync("ota", "serve", "--config", config, "--blobs", CephObjectGateway.Shared.Url(bucket))
            .WaitAsync(TimeSpan.FromSeconds(120));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("NoSuchBucket", run.StdErr, StringComparison.Ordinal);
        Assert.Contains(bucket, run.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain(CephObjectGateway.SecretKey, run.StdErr + run.StdOut, StringComparison.Ordinal);
    }
}
