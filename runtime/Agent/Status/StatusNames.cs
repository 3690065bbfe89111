using System.Text.Json;

namespace AtymSecure.DeviceAgent.Status;

/// <summary>
/// status.json, <c>atym device status</c> and the device's log name enum values in lower case
/// (<c>trialbooted</c>, <c>none</c>, <c>notinstalled</c>): one rule, kept here, so the persisted format and
/// what people read stay the same text.
/// </summary>
public static class StatusNames
{
    public static string Of<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    /// <summary>The same rule for the JSON serializer's enum converter.</summary>
    internal static JsonNamingPolicy Policy { get; } = new LowerCase();

    private sealed class LowerCase : JsonNamingPolicy
    {
        public override string ConvertName(string name) => name.ToLowerInvariant();
    }
}
