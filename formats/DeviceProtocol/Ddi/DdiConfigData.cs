using System.Text.Json.Serialization;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.DeviceProtocol.Ddi;

/// <summary>
/// The device's attributes (<c>PUT …/configData</c>, hawkBit's DdiConfigData): <see cref="Data"/> changes the stored
/// attributes as <see cref="Mode"/> says (merge when absent, as in hawkBit). The server asks for them with the base
/// poll's <c>configData</c> link. Limits are hawkBit's: keys and values of at most 128 characters, at most 100
/// attributes per target.
/// </summary>
public sealed record DdiConfigData(
    [property: JsonPropertyName("data")] EquatableMap<string> Data,
    [property: JsonPropertyName("mode")] DdiUpdateMode? Mode = null) : IDdiMessage
{
    public const int MaxBytes = 32 * 1024;
    public const int MaxEntries = 100;
    public const int MaxKeyLength = 128;
    public const int MaxValueLength = 128;

    /// <summary><see cref="Mode"/>, merge when absent.</summary>
    [JsonIgnore]
    public DdiUpdateMode EffectiveMode => Mode ?? DdiUpdateMode.Merge;

    public IReadOnlyList<Problem> Validate()
    {
        var check = new DdiCheck();
        if (!check.Present(Data, "$.data")) return check.Problems;
        if (Data.Count == 0 && EffectiveMode != DdiUpdateMode.Replace) check.Add(DdiProblemCodes.Required, "$.data", "no attributes");
        if (Data.Count > MaxEntries)
        {
            check.Add(DdiProblemCodes.TooMany, "$.data", $"{Data.Count} attributes, at most {MaxEntries}");
            return check.Problems;
        }
        foreach (var (key, value) in Data)
        {
            var path = $"$.data[{System.Text.Json.JsonSerializer.Serialize(key.Length > 40 ? key[..40] : key, DdiJsonContext.Default.String)}]";
            if (key.Length is 0 or > MaxKeyLength) check.Add(DdiProblemCodes.Invalid, path, $"a key of {key.Length} characters, expected 1..{MaxKeyLength}");
            else if (key.Any(char.IsControl)) check.Add(DdiProblemCodes.Invalid, path, "a key with control characters");
            if (!check.Present(value, path)) continue;
            if (value.Length > MaxValueLength) check.Add(DdiProblemCodes.TooMany, path, $"a value of {value.Length} characters, at most {MaxValueLength}");
            else if (value.Any(char.IsControl)) check.Add(DdiProblemCodes.Invalid, path, "a value with control characters");
        }
        return check.Problems;
    }
}
