namespace AtymSecure.Formats.DeviceProtocol;

/// <summary>Bounds of unix-second timestamps in messages (year 9999), so arithmetic on them cannot overflow.</summary>
public static class UnixTime
{
    public const long Max = 253_402_300_799;
}
