using AtymSecure.TestSupport;

namespace AtymSecure.Delivery.Tests.Delta;

/// <summary>The v1 delta goldens live with the decoder tests (tests/AtymSecure.Formats.Tests/Delta/Golden).</summary>
internal static class GoldenFiles
{
    public static byte[] Read(string name) =>
        File.ReadAllBytes(RepositoryRoot.File(Path.Combine("tests", "AtymSecure.Formats.Tests", "Delta", "Golden", name)));
}
