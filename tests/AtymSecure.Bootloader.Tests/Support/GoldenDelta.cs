namespace AtymSecure.Bootloader.Tests.Support;

/// <summary>
/// Real SeqDiff patches (formats/Delta v1) between the scenario images, made once with the
/// ota-server encoder and committed under Golden/delta as {container}-{imageSize}.seqdiff.patch.
/// The decoder checks both images' SHA-256 against the patch header, so a drift in
/// <see cref="TestImages"/> shows up as a clear mismatch, not a silent pass.
/// </summary>
public static class GoldenDelta
{
    public static byte[] Patch(string container, int imageSize)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Golden", "delta", $"{container}-{imageSize}.seqdiff.patch");
        if (!File.Exists(path)) throw new FileNotFoundException($"no committed SeqDiff patch for {container} at {imageSize} bytes (tests/AtymSecure.Bootloader.Tests/Golden/delta)", path);
        return File.ReadAllBytes(path);
    }
}
