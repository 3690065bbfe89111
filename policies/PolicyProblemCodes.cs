namespace AtymSecure.Policies;

/// <summary>
/// Stable <see cref="AtymSecure.Primitives.Problem.Code"/>s of policy files (docs/policies.md#problem-codes). A code names
/// the rule, the path names the field. Never reuse a code for another meaning.
/// </summary>
public static class PolicyProblemCodes
{
    // The file and its YAML.
    public const string FileTooLarge = "file-too-large";
    public const string TooManyFiles = "too-many-files";
    public const string SetTooLarge = "policy-set-too-large";
    public const string Malformed = "malformed-yaml";
    public const string DocumentEmpty = "document-empty";
    public const string MultipleDocuments = "multiple-documents";
    public const string TooDeep = "too-deep";
    public const string TooManyNodes = "too-many-nodes";
    public const string AliasNotAllowed = "alias-not-allowed";
    public const string AnchorNotAllowed = "anchor-not-allowed";
    public const string TagNotAllowed = "tag-not-allowed";
    public const string KeyNotString = "key-not-string";
    public const string DuplicateKey = "duplicate-key";

    // Structure.
    public const string UnsupportedApiVersion = "unsupported-api-version";
    public const string UnknownKind = "unknown-kind";
    public const string Required = "required";
    public const string UnknownField = "unknown-field";
    public const string WrongType = "wrong-type";
    public const string OutOfRange = "out-of-range";
    public const string TooMany = "too-many";
    public const string InvalidName = "invalid-name";
    public const string InvalidValue = "invalid-value";
    public const string Duplicate = "duplicate";

    // Meaning, within a file and across the set.
    public const string UnknownKey = "unknown-key";
    public const string UnknownGroup = "unknown-group";
    public const string UnknownDeviceClass = "unknown-device-class";
    public const string ThresholdAboveKeys = "threshold-above-keys";
    public const string EmptyWindow = "empty-window";
    public const string EmptyPeriod = "empty-period";
    public const string DuplicateKeyMaterial = "duplicate-key-material";

    // Deriving the device's vendor delegations (atym tuf delegations --from-policy).
    public const string KeyFileMissing = "key-file-missing";
    public const string DelegationConflict = "delegation-conflict";
}
