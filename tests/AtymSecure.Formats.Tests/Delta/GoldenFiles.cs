using System.Runtime.CompilerServices;

namespace AtymSecure.Formats.Tests.Delta;

/// <summary>
/// Golden delta patches of format version 1 (kept forever: old patches must keep decoding).
/// v1.old.bin/v1.new.bin are the images; the *.patch files were made by the ota-server encoders.
/// </summary>
internal static class GoldenFiles
{
    public static byte[] Old => Read("v1.old.bin");

    public static byte[] New => Read("v1.new.bin");

    public static byte[] SeqDiffPatch => Read("v1.seqdiff.patch");

    public static byte[] ZstdPrefixPatch => Read("v1.zstdprefix.patch");

    public static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(Directory(), "Golden", name));

    private static string Directory([CallerFilePath] string here = "") => Path.GetDirectoryName(here)!;
}

/// <summary>Runs an action on untrusted input and lets only the documented delta exceptions through.</summary>
internal static class TypedFailures
{
    public static string Outcome(Action action)
    {
        try
        {
            action();
            return "ok";
        }
        catch (AtymSecure.Formats.Delta.DeltaFormatException)
        {
            return "format";
        }
        catch (AtymSecure.Formats.Delta.DeltaMismatchException)
        {
            return "mismatch";
        }
    }
}
