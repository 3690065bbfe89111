using System.Text.Json;
using System.Text.Json.Serialization;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.OtaContracts;
using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Import;

/// <summary>
/// <c>POST /api/v1/releases</c> and <c>atym ota release REF</c>: which container version to import and how to count it.
/// </summary>
/// <param name="Reference"><c>host/repository:tag</c> or <c>…@sha256:hex</c> in the server's registry.</param>
/// <param name="Security">A security fix: the counter rises above every earlier release of the container (trust-model §7).</param>
/// <param name="SecurityCounter">An explicit counter (≥ the predecessor's); exclusive with <paramref name="Security"/>.</param>
/// <param name="DeviceClasses">Compile for these instead of the fleet's classes (still ∩ the container's targets).</param>
public sealed record ReleaseRequest(
    string Reference,
    bool Security = false,
    ulong? SecurityCounter = null,
    EquatableList<string>? DeviceClasses = null)
{
    /// <summary>Largest request body accepted.</summary>
    public const int MaxBytes = 4096;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new EquatableCollectionJsonConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads and checks a request; every problem at once.</summary>
    /// <exception cref="ProblemException">Too large, not JSON, unknown fields, or a field breaking its rule.</exception>
    public static ReleaseRequest Parse(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxBytes)
            throw new ProblemException("release refused", new Problem(ReleaseProblemCodes.RequestInvalid, "$", $"the body is {utf8.Length} bytes, limit {MaxBytes}"));
        var request = RequestJson.Deserialize<ReleaseRequest>(utf8, Json, "release refused", ReleaseProblemCodes.RequestInvalid);
        if (request is null) throw new ProblemException("release refused", new Problem(ReleaseProblemCodes.RequestInvalid, "$", "expected a JSON object"));
        var problems = request.Validate();
        if (problems.Count > 0) throw new ProblemException("release refused", problems);
        return request;
    }

    public IReadOnlyList<Problem> Validate()
    {
        var problems = new List<Problem>();
        if (string.IsNullOrWhiteSpace(Reference))
            problems.Add(new Problem(ReleaseProblemCodes.ReferenceInvalid, "$.reference", "required"));
        if (Security && SecurityCounter is not null)
            problems.Add(new Problem(ReleaseProblemCodes.CounterConflict, "$.securityCounter", "give either security or securityCounter, not both"));
        if (SecurityCounter > uint.MaxValue)
            problems.Add(new Problem(ReleaseProblemCodes.CounterTooLarge, "$.securityCounter", $"devices keep a 32-bit counter (at most {uint.MaxValue})"));
        if (DeviceClasses is { } classes)
        {
            if (classes.Count == 0) problems.Add(new Problem(ReleaseProblemCodes.NoDeviceClasses, "$.deviceClasses", "empty: leave it out to use the fleet's classes"));
            for (var i = 0; i < classes.Count; i++)
                if (!DeviceClassTable.TryGet(classes[i], out _))
                    problems.Add(new Problem(ReleaseProblemCodes.UnknownDeviceClass, $"$.deviceClasses[{i}]",
                        $"'{classes[i]}' is not one of {string.Join(", ", DeviceClassTable.Names)}"));
        }
        return problems;
    }
}
