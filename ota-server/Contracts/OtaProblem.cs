using AtymSecure.Primitives;

namespace AtymSecure.OtaContracts;

/// <summary>
/// A refused API request: the HTTP status and the problems (code, path = the field that was wrong, message). Every OTA
/// library throws this (or a <see cref="ProblemException"/>, answered 400) from its endpoints; the host maps it once to
/// RFC 9457 problem+json with <c>type</c> = <see cref="OtaProblemTypes.Uri"/>(code) and the field in <c>errors</c>.
/// </summary>
public sealed class OtaProblemException : ProblemException
{
    public OtaProblemException(int status, string code, string path, string message)
        : this(status, [new Problem(code, path, message)]) { }

    public OtaProblemException(int status, IReadOnlyList<Problem> problems)
        : base(OtaProblemTypes.Title(status), problems) => Status = status;

    /// <summary>A refusal with <paramref name="status"/> that another problem exception caused (its problems are kept).</summary>
    public OtaProblemException(int status, ProblemException cause)
        : base(OtaProblemTypes.Title(status), cause?.Problems ?? throw new ArgumentNullException(nameof(cause)), cause) => Status = status;

    public OtaProblemException() : this(400, "invalid", "$", "invalid request") { }

    public OtaProblemException(string message) : this(400, "invalid", "$", message) { }

    public OtaProblemException(string message, Exception innerException)
        : base(message, innerException) => Status = 400;

    public int Status { get; }

    /// <summary>Seconds to send as <c>Retry-After</c> (429, 503), or null.</summary>
    public int? RetryAfterSeconds { get; init; }
}

/// <summary>The stable <c>type</c> URIs of problem+json answers: one per problem code.</summary>
public static class OtaProblemTypes
{
    public const string Base = "https://atym.dev/problems/";

    public static string Uri(string code) => Base + code;

    public static string Title(int status) => status switch
    {
        400 => "bad request",
        401 => "not authenticated",
        403 => "forbidden",
        404 => "not found",
        405 => "method not allowed",
        409 => "conflict",
        410 => "gone",
        413 => "request too large",
        415 => "unsupported media type",
        422 => "unprocessable request",
        429 => "too many requests",
        503 => "unavailable",
        _ => "request refused",
    };
}
