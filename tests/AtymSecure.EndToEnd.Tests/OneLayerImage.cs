using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AtymSecure.Primitives;

namespace AtymSecure.EndToEnd.Tests;

/// <summary>The smallest image that names one pushed blob: the empty config (monolithic POST) and a one-layer manifest put
/// under <c>tag</c>, each asserted 201; returns the manifest's bytes. The replica tests use it to show that a blob whose push was resumed on a survivor
/// is usable, not only stored.</summary>
internal static class OneLayerImage
{
    public static async Task<byte[]> PutAsync(HttpClient http, string repository, string tag, Digest layer, long size)
    {
        var config = "{}"u8.ToArray();
        using (var putConfig = await http.PostAsync($"/v2/{repository}/blobs/uploads/?digest={Digest.Compute(config)}", new ByteArrayContent(config)))
            Assert.Equal(HttpStatusCode.Created, putConfig.StatusCode);
        var manifest = Encoding.UTF8.GetBytes($$"""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
             "config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{{Digest.Compute(config)}}","size":2},
             "layers":[{"mediaType":"application/octet-stream","digest":"{{layer}}","size":{{size}}}]}
            """);
        using var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.oci.image.manifest.v1+json");
        using var put = await http.PutAsync($"/v2/{repository}/manifests/{tag}", content);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return manifest;
    }
}
