using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.DeviceProtocol.Ddi;

/// <summary>
/// The one reader and writer of hawkBit DDI messages, for our server and for our device agent's DDI mode. Unlike our
/// own device protocol (<see cref="ProtocolJson"/>) this one is hawkBit's, spoken by clients we did not write, so it
/// follows hawkBit's lenience where hawkBit is lenient (unknown members are ignored, as Jackson's
/// <c>ignoreUnknown</c> does) and is strict everywhere else: a byte cap checked before parsing, bounded depth, a key
/// given twice refused (two readers must never see two documents), enums only as their exact wire names, members the
/// message needs must be there; then the message's <see cref="IDdiMessage.Validate"/> reports every problem of its
/// content (lengths, grammars, hashes, links). A refusal is one <see cref="DdiMessageException"/> holding every problem.
/// Writing is compact JSON without null members, as hawkBit answers.
/// </summary>
public static class DdiJson
{
    public const int MaxDepth = 16;

    public static DdiControllerBase ReadControllerBase(ReadOnlySpan<byte> json) => Read(json, DdiControllerBase.MaxBytes, DdiJsonContext.Default.DdiControllerBase);

    public static DdiDeploymentBase ReadDeploymentBase(ReadOnlySpan<byte> json) => Read(json, DdiDeploymentBase.MaxBytes, DdiJsonContext.Default.DdiDeploymentBase);

    public static DdiActionFeedback ReadFeedback(ReadOnlySpan<byte> json) => Read(json, DdiActionFeedback.MaxBytes, DdiJsonContext.Default.DdiActionFeedback);

    public static DdiCancel ReadCancel(ReadOnlySpan<byte> json) => Read(json, DdiCancel.MaxBytes, DdiJsonContext.Default.DdiCancel);

    public static DdiConfigData ReadConfigData(ReadOnlySpan<byte> json) => Read(json, DdiConfigData.MaxBytes, DdiJsonContext.Default.DdiConfigData);

    public static byte[] Write(DdiControllerBase message) => Write(message, DdiJsonContext.Default.DdiControllerBase);

    public static byte[] Write(DdiDeploymentBase message) => Write(message, DdiJsonContext.Default.DdiDeploymentBase);

    public static byte[] Write(DdiActionFeedback message) => Write(message, DdiJsonContext.Default.DdiActionFeedback);

    public static byte[] Write(DdiCancel message) => Write(message, DdiJsonContext.Default.DdiCancel);

    public static byte[] Write(DdiConfigData message) => Write(message, DdiJsonContext.Default.DdiConfigData);

    /// <summary>Reads one message of at most <paramref name="maxBytes"/>, or throws <see cref="DdiMessageException"/>.</summary>
    public static T Read<T>(ReadOnlySpan<byte> json, int maxBytes, JsonTypeInfo<T> type) where T : class, IDdiMessage
    {
        ArgumentNullException.ThrowIfNull(type);
        if (json.Length > maxBytes)
            throw new DdiMessageException([new Problem(DdiProblemCodes.TooLarge, "$", $"{json.Length} bytes, at most {maxBytes}")]);
        T? message;
        try
        {
            message = JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException e)
        {
            throw new DdiMessageException([new Problem(DdiProblemCodes.Malformed, e.Path ?? "$", Describe(e))], e);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException or NotSupportedException)
        {
            // The converters of nested collections and a few STJ paths throw these for input they cannot bind.
            throw new DdiMessageException([new Problem(DdiProblemCodes.Malformed, "$", e.Message)], e);
        }
        if (message is null) throw new DdiMessageException([new Problem(DdiProblemCodes.Required, "$", "null, expected an object")]);
        var problems = message.Validate();
        if (problems.Count > 0) throw new DdiMessageException(problems);
        return message;
    }

    private static byte[] Write<T>(T message, JsonTypeInfo<T> type) where T : class, IDdiMessage
    {
        ArgumentNullException.ThrowIfNull(message);
        var problems = message.Validate();
        if (problems.Count > 0) throw new DdiMessageException(problems);
        return JsonSerializer.SerializeToUtf8Bytes(message, type);
    }

    /// <summary>The JSON reader's message without its "Path: … | LineNumber" tail (the path is the problem's own).</summary>
    private static string Describe(JsonException e)
    {
        var text = e.Message;
        var cut = text.IndexOf(" Path: ", StringComparison.Ordinal);
        return cut > 0 ? text[..cut] : text;
    }
}
