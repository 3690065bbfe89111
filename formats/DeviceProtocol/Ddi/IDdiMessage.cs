using AtymSecure.Primitives;

namespace AtymSecure.Formats.DeviceProtocol.Ddi;

/// <summary>A whole DDI message (a request or answer body) that <see cref="DdiJson"/> reads: it knows its byte cap and
/// reports every problem of its content at once.</summary>
public interface IDdiMessage
{
    /// <summary>Every problem (empty when the message is fine).</summary>
    IReadOnlyList<Problem> Validate();
}
