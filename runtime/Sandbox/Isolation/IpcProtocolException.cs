using AtymSecure.Primitives;

namespace AtymSecure.Runtime.Isolation;

/// <summary>Stable codes of what is wrong with IPC bytes (docs/container-ipc.md); a child that sends any of them is killed.</summary>
public static class IpcProblemCodes
{
    public const string FrameTooLarge = "ipc-frame-too-large";
    public const string FrameTooShort = "ipc-frame-too-short";
    public const string Truncated = "ipc-truncated";
    public const string UnsupportedVersion = "ipc-unsupported-version";
    public const string UnknownType = "ipc-unknown-type";
    public const string WrongDirection = "ipc-wrong-direction";
    public const string FieldTooLarge = "ipc-field-too-large";
    public const string InvalidUtf8 = "ipc-invalid-utf8";
    public const string TrailingBytes = "ipc-trailing-bytes";
    public const string UnknownOperation = "ipc-unknown-operation";
    public const string InvalidValue = "ipc-invalid-value";
}

/// <summary>IPC bytes that do not follow frame format v1; <see cref="ProblemException.Problems"/> holds one problem with its code.</summary>
public sealed class IpcProtocolException : ProblemException
{
    public IpcProtocolException(string code, string path, string message)
        : base("container IPC frame refused", new Problem(code, path, message)) => Code = code;

    public IpcProtocolException() : this(IpcProblemCodes.InvalidValue, "frame", "invalid frame") { }

    public IpcProtocolException(string message) : this(IpcProblemCodes.InvalidValue, "frame", message) { }

    public IpcProtocolException(string message, Exception inner) : base(message, inner) => Code = IpcProblemCodes.InvalidValue;

    public string Code { get; }
}
