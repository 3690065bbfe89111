using System.Text;

namespace AtymSecure.Formats.DeviceProtocol.Ddi;

/// <summary>
/// The <c>.MD5SUM</c> file hawkBit serves beside each artifact, in <c>md5sum</c>'s format (<c>HASH  FILENAME</c>, two
/// spaces, one line), so <c>md5sum -c</c> checks a download on a Linux device.
/// </summary>
public static class DdiMd5Sum
{
    /// <summary>The suffix of the MD5SUM file's name and URL.</summary>
    public const string Suffix = ".MD5SUM";

    public static byte[] Line(string md5Hex, string fileName) => Encoding.UTF8.GetBytes($"{md5Hex}  {fileName}\n");

    /// <summary>The hash of an MD5SUM line for <paramref name="fileName"/>, or null when the text is not one.</summary>
    public static string? HashOf(ReadOnlySpan<byte> text, string fileName)
    {
        if (text.Length > 1024) return null;
        var line = Encoding.UTF8.GetString(text).TrimEnd('\n');
        var parts = line.Split("  ", 2);
        return parts.Length == 2 && parts[1] == fileName && DdiCheck.Md5Grammar().IsMatch(parts[0]) ? parts[0] : null;
    }
}
