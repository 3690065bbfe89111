using System.Net;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Oci;

/// <summary>
/// A registry answered with an unexpected status. <see cref="Errors"/> holds the parsed OCI error
/// codes (https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#error-codes), empty
/// when the body was not an OCI error document.
/// </summary>
public class RegistryResponseException : OciException
{
    public RegistryResponseException() { }
    public RegistryResponseException(string message) : base(message) { }
    public RegistryResponseException(string message, Exception? inner) : base(message, inner) { }

    public RegistryResponseException(HttpMethod method, Uri? uri, HttpStatusCode status, IReadOnlyList<ErrorEntry> errors, string? bodyExcerpt)
        : base(Describe(method, uri, status, errors, bodyExcerpt))
    {
        Method = method;
        RequestUri = uri;
        StatusCode = status;
        Errors = errors;
    }

    public HttpMethod? Method { get; }
    public Uri? RequestUri { get; }
    public HttpStatusCode StatusCode { get; }
    public IReadOnlyList<ErrorEntry> Errors { get; } = [];

    /// <summary>
    /// The answer as <see cref="Problem"/>s, the shape every other refusal has: one per OCI error with its OCI code
    /// (<c>NAME_INVALID</c>) as the code, the request (<c>GET /v2/app/manifests/v1</c>) as the path and the registry's
    /// message (or the code); a body that is no OCI error document gives one problem coded <c>HTTP_&lt;status&gt;</c>.
    /// </summary>
    public IReadOnlyList<Problem> Problems
    {
        get
        {
            var path = $"{Method?.Method ?? "?"} {RequestUri?.AbsolutePath ?? "?"}";
            return Errors.Count > 0
                ? [.. Errors.Select(e => new Problem(e.Code, path, e.Message ?? e.Code))]
                : [new Problem($"HTTP_{(int)StatusCode}", path, Message)];
        }
    }

    /// <summary>True when any parsed error has the given code (see <see cref="ErrorCodes"/>).</summary>
    public bool HasCode(string code) => Errors.Any(e => e.Code == code);

    private static string Describe(HttpMethod method, Uri? uri, HttpStatusCode status, IReadOnlyList<ErrorEntry> errors, string? body)
    {
        var what = $"{method} {uri?.GetLeftPart(UriPartial.Path)} → {(int)status} {status}";
        if (errors.Count > 0)
            return what + ": " + string.Join("; ", errors.Select(e => e.Message is null ? e.Code : $"{e.Code}: {e.Message}"));
        return string.IsNullOrWhiteSpace(body) ? what : $"{what}: {body}";
    }
}
