using System.Globalization;
using System.Text.Json;
using AtymSecure.Formats.Container;
using AtymSecure.Primitives;

namespace AtymSecure.DeviceAgent.Provisioning;

/// <summary>One container the device's partition table has A/B slots for.</summary>
public sealed record ContainerSlotPlan(string Name, long SlotBytes);

/// <summary>
/// device.json: who the device is and how its flash is laid out. Written once by <c>device init</c>;
/// every later command reads it and refuses a file that does not validate (all problems listed).
/// </summary>
public sealed record DeviceIdentity(
    string DeviceId,
    string Profile,
    string DeviceClass,
    string Flash,
    EquatableList<ContainerSlotPlan> Containers,
    DateTimeOffset CreatedUtc)
{
    public const int FormatVersion = 1;

    /// <summary>device.json is a few hundred bytes; anything far larger is not ours.</summary>
    public const int MaxFileBytes = 64 * 1024;

    public const int MaxContainers = 64;

    /// <summary>Every problem with this identity (empty = valid), each with a <see cref="DeviceIdentityProblemCodes"/> code and its JSON field as the path.</summary>
    public IReadOnlyList<Problem> Validate()
    {
        var p = new List<Problem>();
        void Add(string code, string path, string message) => p.Add(new Problem(code, path, message));
        if (string.IsNullOrWhiteSpace(DeviceId) || DeviceId.Length > 128) Add(DeviceIdentityProblemCodes.InvalidDeviceId, "deviceId", "must be 1..128 characters");
        if (string.IsNullOrWhiteSpace(Profile)) Add(DeviceIdentityProblemCodes.Missing, "profile", "missing");
        if (string.IsNullOrWhiteSpace(DeviceClass)) Add(DeviceIdentityProblemCodes.Missing, "deviceClass", "missing");
        if (string.IsNullOrWhiteSpace(Flash)) Add(DeviceIdentityProblemCodes.Missing, "flash", "missing");
        if (Containers.Count is 0 or > MaxContainers) Add(DeviceIdentityProblemCodes.ContainerCount, "containers", $"needs 1..{MaxContainers} entries, has {Containers.Count}");
        for (var i = 0; i < Containers.Count; i++)
        {
            var c = Containers[i];
            if (ContainerName.Check(c.Name, $"containers[{i}].name") is { } error) p.Add(error);
            if (c.SlotBytes is < 4096 or > 64L * 1024 * 1024)
                Add(DeviceIdentityProblemCodes.SlotSizeOutOfRange, $"containers[{i}].slotBytes", $"{c.SlotBytes} is outside 4 KiB..64 MiB");
        }
        foreach (var dup in Containers.GroupBy(c => c.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
            Add(DeviceIdentityProblemCodes.DuplicateContainer, "containers", $"'{dup.Key}' listed {dup.Count()} times");
        return p;
    }

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("formatVersion", FormatVersion);
            w.WriteString("deviceId", DeviceId);
            w.WriteString("profile", Profile);
            w.WriteString("deviceClass", DeviceClass);
            w.WriteString("flash", Flash);
            w.WriteStartArray("containers");
            foreach (var c in Containers)
            {
                w.WriteStartObject();
                w.WriteString("name", c.Name);
                w.WriteNumber("slotBytes", c.SlotBytes);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("createdUtc", CreatedUtc.ToString("O", CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <exception cref="DeviceDataException">Unreadable, oversized, wrong version or invalid content (every problem listed; for invalid content
    /// the inner exception is the <see cref="ProblemException"/> with each problem's code and path).</exception>
    public static DeviceIdentity Parse(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxFileBytes) throw new DeviceDataException($"device.json is {json.Length} bytes, above {MaxFileBytes}");
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new DeviceDataException("device.json: top level must be an object");
            if (!root.TryGetProperty("formatVersion", out var v) || v.ValueKind != JsonValueKind.Number || v.GetInt32() != FormatVersion)
                throw new DeviceDataException($"device.json: formatVersion must be {FormatVersion}");
            var containers = new List<ContainerSlotPlan>();
            if (root.TryGetProperty("containers", out var list) && list.ValueKind == JsonValueKind.Array)
                foreach (var c in list.EnumerateArray())
                    containers.Add(new ContainerSlotPlan(Text(c, "name"), c.TryGetProperty("slotBytes", out var s) && s.TryGetInt64(out var n) ? n : -1));
            var created = DateTimeOffset.TryParse(Text(root, "createdUtc"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t) ? t : DateTimeOffset.MinValue;
            var identity = new DeviceIdentity(Text(root, "deviceId"), Text(root, "profile"), Text(root, "deviceClass"), Text(root, "flash"), containers, created);
            var problems = identity.Validate();
            if (problems.Count == 0) return identity;
            var invalid = new ProblemException("device.json is invalid", problems);
            throw new DeviceDataException(invalid.Message, invalid);
        }
        catch (JsonException e)
        {
            throw new DeviceDataException($"device.json is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new DeviceDataException($"device.json has a value of the wrong type: {e.Message}", e);
        }
        catch (FormatException e)
        {
            throw new DeviceDataException($"device.json has a malformed value: {e.Message}", e);
        }
    }

    private static string Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
}
