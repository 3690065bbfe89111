using System.Text.Json.Serialization;

namespace AtymSecure.Formats.DeviceProtocol.Ddi;

/// <summary>One HAL link of a DDI answer (<c>{"href": "…"}</c>): where the device goes next. Absolute, http or https.</summary>
public sealed record DdiLink([property: JsonPropertyName("href")] string Href)
{
    public const int MaxHrefLength = 2048;
}
