using System.Runtime.CompilerServices;

namespace AtymSecure.Delivery.Tests.Delta;

/// <summary>The v1 delta goldens live with the decoder tests (tests/AtymSecure.Formats.Tests/Delta/Golden).</summary>
internal static class GoldenFiles
{
    public static byte[] Read(string name) =>
        File.ReadAllBytes(Path.Combine(Here(), "..", "..", "AtymSecure.Formats.Tests", "Delta", "Golden", name));

    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
