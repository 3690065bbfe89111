using System.Text.RegularExpressions;

namespace AtymSecure.OtaMetadata.Director;

/// <summary>The device-id grammar of director documents (<c>[A-Za-z0-9._:-]{1,128}</c>), without a leading dot, so an id is also a safe file name.</summary>
public static partial class DirectorIds
{
    public static bool IsDeviceId(string? id) => id is not null && DeviceId().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9_:-][A-Za-z0-9._:-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex DeviceId();
}
