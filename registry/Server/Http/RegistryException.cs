using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Registry.Http;

/// <summary>
/// A request the registry refuses, with the HTTP status and the spec error code to reply with.
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#error-codes
/// Thrown by handlers and turned into the JSON error body by <see cref="RegistryErrorMiddleware"/>.
/// </summary>
public sealed class RegistryException(int status, string code, string message, object? detail = null)
    : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public object? Detail { get; } = detail;

    /// <summary>Extra headers to send with the error (e.g. Range on 416, WWW-Authenticate on 401).</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public static RegistryException NameInvalid(string name) =>
        new(400, ErrorCodes.NameInvalid, $"invalid repository name '{Truncate(name)}': lowercase [a-z0-9] components separated by '.', '_', '__', '-' or '/', at most {Reference.MaxRepositoryLength} characters");

    public static RegistryException DigestInvalid(string? digest, string reason) =>
        new(400, ErrorCodes.DigestInvalid, $"invalid digest '{Truncate(digest)}': {reason}");

    public static RegistryException BlobUnknown(string name, Digest digest) =>
        new(404, ErrorCodes.BlobUnknown, $"blob {digest} is not known to repository '{name}'");

    public static RegistryException ManifestUnknown(string name, string reference) =>
        new(404, ErrorCodes.ManifestUnknown, $"manifest '{Truncate(reference)}' is not known to repository '{name}'");

    public static RegistryException UploadUnknown(string id) =>
        new(404, ErrorCodes.BlobUploadUnknown, $"upload session '{Truncate(id)}' is unknown, finished, cancelled or expired");

    public static RegistryException NameUnknown(string name) =>
        new(404, ErrorCodes.NameUnknown, $"repository '{name}' is not known to this registry");

    public static RegistryException Unsupported(string message) =>
        new(400, ErrorCodes.Unsupported, message);

    /// <summary>Keeps hostile input from bloating error bodies and logs.</summary>
    public static string Truncate(string? text, int max = 300) =>
        text is null ? "" : text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");
}
