using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Registry.Tests.Support;

/// <summary>Raw HTTP calls of the distribution spec, written out so tests see exactly what goes on the wire.</summary>
public static class RegistryCalls
{
    public static async Task<Digest> PushBlobAsync(this HttpClient client, string name, byte[] content, string algorithm = "sha256")
    {
        var digest = Digest.Compute(content, algorithm);
        using var post = await client.PostAsync($"/v2/{name}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var location = post.Headers.Location!.ToString();
        using var put = await client.PutAsync(WithQuery(location, $"digest={digest}"), Octets(content));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return digest;
    }

    public static async Task<HttpResponseMessage> PutManifestAsync(this HttpClient client, string name, string reference, byte[] manifest,
        string mediaType = MediaTypes.ImageManifest)
    {
        var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return await client.PutAsync($"/v2/{name}/manifests/{reference}", content);
    }

    /// <summary>Pushes config and one layer, then an image manifest; returns the manifest bytes and digest.</summary>
    public static async Task<(byte[] Manifest, Digest Digest)> PushImageAsync(this HttpClient client, string name, string tag,
        string layerText = "layer", string? subject = null, string? artifactType = null, IDictionary<string, string>? annotations = null)
    {
        var config = Encoding.UTF8.GetBytes("{\"architecture\":\"wasm\",\"os\":\"wasip1\",\"n\":\"" + layerText + "\"}");
        var layer = Encoding.UTF8.GetBytes(layerText);
        var configDigest = await client.PushBlobAsync(name, config);
        var layerDigest = await client.PushBlobAsync(name, layer);
        var manifest = ManifestJson(configDigest, config.Length, [(layerDigest, layer.Length)], subject, artifactType, annotations);
        using var put = await client.PutManifestAsync(name, tag, manifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return (manifest, Digest.Compute(manifest));
    }

    public static byte[] ManifestJson(Digest config, long configSize, IEnumerable<(Digest Digest, long Size)> layers,
        string? subject = null, string? artifactType = null, IDictionary<string, string>? annotations = null,
        string configMediaType = MediaTypes.ImageConfig)
    {
        var sb = new StringBuilder();
        sb.Append("{\"schemaVersion\":2,\"mediaType\":\"").Append(MediaTypes.ImageManifest).Append('"');
        if (artifactType is not null) sb.Append(",\"artifactType\":\"").Append(artifactType).Append('"');
        sb.Append(",\"config\":{\"mediaType\":\"").Append(configMediaType).Append("\",\"digest\":\"").Append(config)
            .Append("\",\"size\":").Append(configSize).Append('}');
        sb.Append(",\"layers\":[");
        sb.Append(string.Join(",", layers.Select(l =>
            $"{{\"mediaType\":\"{MediaTypes.ImageLayer}\",\"digest\":\"{l.Digest}\",\"size\":{l.Size}}}")));
        sb.Append(']');
        if (subject is not null) sb.Append(",\"subject\":").Append(subject);
        if (annotations is not null)
            sb.Append(",\"annotations\":{").Append(string.Join(",", annotations.Select(a => $"\"{a.Key}\":\"{a.Value}\""))).Append('}');
        sb.Append('}');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static string DescriptorJson(string mediaType, Digest digest, long size) =>
        $"{{\"mediaType\":\"{mediaType}\",\"digest\":\"{digest}\",\"size\":{size}}}";

    public static ByteArrayContent Octets(byte[] content)
    {
        var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return body;
    }

    public static string WithQuery(string location, string query) =>
        location + (location.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query;

    public static async Task<string> ErrorCodeAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var json = System.Text.Json.JsonDocument.Parse(text);
        return json.RootElement.GetProperty("errors")[0].GetProperty("code").GetString()!;
    }

    public static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var content) ? string.Join(",", content) : "";
}
