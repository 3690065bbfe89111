namespace AtymSecure.Formats.DeviceProtocol;

/// <summary>The device API's paths and headers (docs/device-protocol.md), shared by the server's endpoints and the agent's client.</summary>
public static class DeviceProtocolPaths
{
    public const string Enroll = "/api/v1/devices/enroll";

    public static string Challenge(string deviceId) => $"/api/v1/devices/{Uri.EscapeDataString(deviceId)}/challenge";

    public static string Session(string deviceId) => $"/api/v1/devices/{Uri.EscapeDataString(deviceId)}/session";

    public static string Poll(string deviceId) => $"/api/v1/devices/{Uri.EscapeDataString(deviceId)}/poll";

    public static string Reports(string deviceId) => $"/api/v1/devices/{Uri.EscapeDataString(deviceId)}/reports";

    public static string Key(string deviceId) => $"/api/v1/devices/{Uri.EscapeDataString(deviceId)}/key";

    /// <summary>The device's director files: <c>N.root.json</c> (walked forward until 404) and <c>targets.json</c>.</summary>
    public static string Director(string deviceId, string file) => $"/api/v1/devices/{Uri.EscapeDataString(deviceId)}/director/{Uri.EscapeDataString(file)}";

    /// <summary>Every device message is this media type (the server answers errors as application/problem+json).</summary>
    public const string MediaType = "application/json";
}
