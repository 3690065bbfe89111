using System.Net;
using System.Text.RegularExpressions;
using AtymSecure.TestSupport;

namespace AtymSecure.EndToEnd.Tests.Ota;

/// <summary>
/// Issue 17 §1 through real processes only (<see cref="ObjectStoreOtaStack"/>): <c>atym ota serve</c> with its records in
/// PostgreSQL and <c>blobs: s3://…</c> on Ceph RGW. A production device installs 1.0.0, whose full bundle the server cut
/// onto the object store and streamed from it; the server restarts with <c>--redirect-bundle-downloads</c>, and the
/// device installs 1.1.0's delta, fetched from the presigned URL the server's <c>307</c> named (the server streamed none
/// of its bytes). Throughout, nothing bundle-like is written to the data folder's <c>bundles/</c>.
/// </summary>
[Trait("Requires", "process")]
[Trait("Requires", "postgres")]
[Trait("Requires", "s3")]
[Collection(ObjectStoreOtaStackCollection.Name)]
public sealed partial class ObjectStoreBundlesEndToEndTests(ObjectStoreOtaStack stack)
{
    [Fact]
    public async Task A_device_downloads_bundles_cut_onto_the_object_store_streamed_and_then_redirected()
    {
        Assert.Contains("bundles in s3://ota-e2e-", stack.Server.Log, StringComparison.Ordinal);
        Assert.DoesNotContain(CephObjectGateway.SecretKey, stack.Server.Log, StringComparison.Ordinal);
        await using var device = await stack.ProvisionDeviceAsync("s3-device");
        device.Start();
        await device.WaitForLogAsync("enrolled with");

        // 1.0.0: cut onto the bucket, streamed from it by the server (its served-bytes metric counts the device's download).
        var fullBefore = await stack.MetricAsync("atym_ota_bundle_bytes_total", "kind=\"full\"");
        await stack.Operator("ota", "assign", await stack.ReleaseAsync("1.0.0"), "--device", device.Id);
        await device.WaitForLogAsync("trial of 1.0.0 passed: confirmed");
        Assert.Equal(Downloaded(device.Log, "1.0.0"), await stack.MetricAsync("atym_ota_bundle_bytes_total", "kind=\"full\"") - fullBefore);
        var first = Assert.Single(await BundlesInBucketAsync());
        NothingInTheDataFolder();

        // Restarted with redirects: 1.1.0's delta comes from the object store's presigned URL, none of it through the server.
        await stack.Server.KillAsync();
        stack.Server.ExtraArguments = ["--redirect-bundle-downloads"];
        await stack.Server.StartAsync();
        Assert.Contains("(downloads redirected)", stack.Server.Log, StringComparison.Ordinal);
        await stack.Operator("ota", "assign", await stack.ReleaseAsync("1.1.0"), "--device", device.Id);
        await device.WaitForLogAsync("trial of 1.1.0 passed: confirmed", TimeSpan.FromSeconds(180));
        Assert.True(Downloaded(device.Log, "1.1.0") > 0);
        Assert.Equal(0, await stack.MetricAsync("atym_ota_bundle_bytes_total", "kind=\"delta\""));
        Assert.Equal(0, await stack.MetricAsync("atym_ota_bundle_bytes_total", "kind=\"full\""));
        var bundles = await BundlesInBucketAsync();
        Assert.Equal(2, bundles.Count);
        NothingInTheDataFolder();

        // What the device got: a 307 to the object store for the one bundle, valid briefly; HEAD is still answered here.
        var delta = bundles.Single(b => b != first);
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var redirect = await client.GetAsync(new Uri(stack.Server.Url, "bundles/sha256/" + delta));
        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirect.StatusCode);
        var location = redirect.Headers.Location!;
        Assert.Equal(CephObjectGateway.Shared.Port, location.Port);
        Assert.Contains($"/ota/bundles/sha256/{delta}.bundle", location.AbsolutePath, StringComparison.Ordinal);
        Assert.DoesNotContain(CephObjectGateway.SecretKey, location.ToString(), StringComparison.Ordinal);
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri(stack.Server.Url, "bundles/sha256/" + delta)));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        using var missing = await client.GetAsync(new Uri(stack.Server.Url, "bundles/sha256/" + new string('0', 64)));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    /// <summary>The bundles (hex) under the bucket's <c>bundles/sha256/</c>.</summary>
    private async Task<List<string>> BundlesInBucketAsync()
    {
        var found = new List<string>();
        await foreach (var entry in stack.Bucket.ListAsync("bundles/sha256/"))
            found.Add(entry.Key["bundles/sha256/".Length..^".bundle".Length]);
        return found;
    }

    private void NothingInTheDataFolder()
    {
        var folder = Path.Combine(stack.Server.DataDirectory, "bundles");
        Assert.False(Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Any(),
            $"the data folder has bundle files: {string.Join(", ", Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories) : [])}");
    }

    private static long Downloaded(string log, string version) =>
        long.Parse(Assert.Single(DownloadLines().Matches(log), m => m.Groups["version"].Value == version).Groups["bytes"].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"downloaded sensor-filter (?<version>\S+) \(c\d+\) \((?<bytes>\d+) bytes, verified\)")]
    private static partial Regex DownloadLines();
}
