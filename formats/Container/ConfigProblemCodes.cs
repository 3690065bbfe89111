namespace AtymSecure.Formats.Container;

/// <summary>
/// Stable <see cref="AtymSecure.Primitives.Problem.Code"/>s of container config problems (JSON and atym.yaml alike),
/// listed in docs/container-format.md#problem-codes. A code names the rule, the path names the field: one code
/// serves every field the rule applies to. Never reuse a code for another meaning.
/// </summary>
public static class ConfigProblemCodes
{
    // The document as a whole (JSON or YAML builders).
    public const string DocumentTooLarge = "document-too-large";
    public const string DocumentEmpty = "document-empty";
    public const string Malformed = "malformed-document";
    public const string TrailingData = "trailing-data";
    public const string MultipleDocuments = "multiple-documents";
    public const string UnexpectedToken = "unexpected-token";
    public const string TooDeep = "too-deep";
    public const string TooManyNodes = "too-many-nodes";
    public const string AliasNotAllowed = "alias-not-allowed";
    public const string AnchorNotAllowed = "anchor-not-allowed";
    public const string TagNotAllowed = "tag-not-allowed";
    public const string KeyNotString = "key-not-string";

    // Structure: fields and their types.
    public const string WrongType = "wrong-type";
    public const string DuplicateKey = "duplicate-key";
    public const string Required = "required";
    public const string UnknownField = "unknown-field";
    public const string OutOfRange = "out-of-range";

    // Field rules.
    public const string UnsupportedSchemaVersion = "unsupported-schema-version";
    public const string InvalidName = "invalid-name";
    public const string InvalidVersion = "invalid-version";
    public const string TooLong = "too-long";
    public const string InvalidExportName = "invalid-export-name";
    public const string TooMany = "too-many";
    public const string InvalidVariableName = "invalid-variable-name";
    public const string UndeclaredVariable = "undeclared-variable";
    public const string InvalidCapability = "invalid-capability";
    public const string Duplicate = "duplicate";
    public const string UnknownBlob = "unknown-blob";
    public const string NotPageMultiple = "not-page-multiple";
    public const string ProbeIsEntrypoint = "probe-is-entrypoint";
    public const string TimeoutExceedsInterval = "timeout-exceeds-interval";
    public const string BackoffBelowInitial = "backoff-below-initial";
    public const string InvalidRestartPolicy = "invalid-restart-policy";
    public const string UnknownDeviceClass = "unknown-device-class";
    public const string InvalidBlobName = "invalid-blob-name";
    public const string InvalidMediaType = "invalid-media-type";
    public const string InvalidDigest = "invalid-digest";

    // The Wasm artifact config (WasmArtifactConfig).
    public const string InvalidTime = "invalid-time";
    public const string WrongArchitecture = "wrong-architecture";
    public const string UnsupportedOs = "unsupported-os";
}
