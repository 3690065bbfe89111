using AtymSecure.TestSupport;
using System.Text.Json;

namespace AtymSecure.EndToEnd.Tests;

/// <summary>`atym device status --json` read back the way a script would, without linking the device library's types.</summary>
internal sealed class DeviceStatusJson(JsonElement root)
{
    public static async Task<DeviceStatusJson> Read(AtymProcess atym, string data) =>
        new(JsonDocument.Parse(await atym.Ok("device", "status", "--data", data, "--json")).RootElement.Clone());

    public JsonElement Container(string name) =>
        root.GetProperty("containers").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    public string State(string container) => Container(container).GetProperty("state").GetString()!;

    public int AttemptsLeft(string container) => Container(container).GetProperty("attemptsLeft").GetInt32();

    /// <summary>Version in the confirmed slot (null when none).</summary>
    public string? ConfirmedVersion(string container)
    {
        var c = Container(container);
        var slot = c.GetProperty("confirmedSlot").GetString();
        return c.GetProperty("slots").EnumerateArray().FirstOrDefault(s => s.GetProperty("slot").GetString() == slot) is { ValueKind: JsonValueKind.Object } s
            ? s.GetProperty("version").GetString()
            : null;
    }

    public JsonElement LastTrial(string container) =>
        root.GetProperty("trials").EnumerateArray().Last(t => t.GetProperty("container").GetString() == container);

    public override string ToString() => root.ToString();
}
