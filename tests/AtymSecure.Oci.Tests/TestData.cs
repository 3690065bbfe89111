using AtymSecure.Oci.Content;
using AtymSecure.Oci.Packing;
using AtymSecure.Oci.Wire;

namespace AtymSecure.Oci.Tests;

internal static class TestData
{
    public static byte[] RandomBytes(int n, int seed = 1)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    /// <summary>Pushes a small artifact (one layer) and returns its manifest descriptor.</summary>
    public static async Task<Descriptor> PushArtifactAsync(IStorage target, string text, string artifactType = "application/vnd.test.artifact",
        Descriptor? subject = null, IReadOnlyDictionary<string, string>? annotations = null)
    {
        var layer = await target.PushBytesAsync("application/vnd.test.layer", System.Text.Encoding.UTF8.GetBytes(text),
            new Dictionary<string, string> { [AnnotationKeys.Title] = "file.txt" });
        return await Packer.PackManifestAsync(target, artifactType, new PackOptions
        {
            Layers = [layer], Subject = subject, Annotations = annotations, UseSourceDateEpoch = false,
        });
    }
}
