using AtymSecure.Primitives;

namespace AtymSecure.Formats.DeviceProtocol;

/// <summary>
/// A device⇄server message refused by its reader: one <see cref="Problem"/> whose code is a <see cref="DeviceProtocolCodes"/>
/// value and whose path is the JSON path of the offending member. The server answers it as 400 problem+json; the
/// device treats an unreadable answer like an unreachable server (keeps running, backs off).
/// </summary>
public sealed class DeviceProtocolException : ProblemException
{
    public DeviceProtocolException(string code, string path, string detail)
        : base("device protocol message refused", new Problem(code, path, detail)) => Problem = Problems[0];

    public DeviceProtocolException(string code, string path, string detail, Exception innerException)
        : base("device protocol message refused", [new Problem(code, path, detail)], innerException) => Problem = Problems[0];

    public DeviceProtocolException() : this(DeviceProtocolCodes.MessageMalformed, "$", "malformed message") { }

    public DeviceProtocolException(string message) : this(DeviceProtocolCodes.MessageMalformed, "$", message) { }

    public DeviceProtocolException(string message, Exception innerException)
        : this(DeviceProtocolCodes.MessageMalformed, "$", message, innerException) { }

    public Problem Problem { get; }

    public string Code => Problem.Code;
}
