using static AtymSecure.Policies.PolicyProblemCodes;

namespace AtymSecure.Policies.Reporting;

/// <summary>A fix hint for each problem code, printed under the problem (docs/policies.md lists the codes).</summary>
public static class PolicyHints
{
    public static string For(string code) => code switch
    {
        FileTooLarge => "split the policy into several files; each may hold 256 KiB",
        TooManyFiles or SetTooLarge => "a policy folder holds at most 256 files and 4 MiB; move unrelated YAML elsewhere",
        Malformed => "fix the YAML syntax at this position (indentation, a missing ':' or an unclosed quote)",
        DocumentEmpty => "start the file with apiVersion: policy.atym.dev/v1 and a kind",
        MultipleDocuments => "put each document ('---') into its own file",
        TooDeep or TooManyNodes => "policy files are shallow; flatten the structure",
        AliasNotAllowed or AnchorNotAllowed => "write the value out; anchors and aliases are not allowed in policy files",
        TagNotAllowed => "remove the '!tag'; write the value plainly",
        KeyNotString => "write the key as a plain word",
        DuplicateKey => "remove one of the two entries; YAML keeps only one",
        UnsupportedApiVersion => "write apiVersion: policy.atym.dev/v1",
        UnknownKind => "write one of the kinds listed in the message",
        Required => "add the field",
        UnknownField => "remove the field or fix its spelling (the known fields are listed)",
        WrongType => "quote strings (\"02:00\", \"1.0\"); write numbers and true/false unquoted",
        OutOfRange => "use a value inside the range given",
        TooMany => "list fewer items, or at least the minimum",
        InvalidName => "use lower-case letters, digits, '.' and '-'",
        InvalidValue => "use a value of the form the message describes",
        Duplicate => "give each item a name or scope of its own",
        UnknownKey => "define the key under spec.keys of a TrustPolicy, or fix the name",
        UnknownGroup => "define the group in a DeploymentPolicy, use '*', or fix the name",
        UnknownDeviceClass => "use one of the device classes listed",
        ThresholdAboveKeys => "list more keys or lower the threshold",
        EmptyWindow => "give the window an end different from its start",
        EmptyPeriod => "make 'to' later than 'from'",
        DuplicateKeyMaterial => "keep one name for the key",
        KeyFileMissing => "put the key's .pub file into the keys folder (its name does not matter, its fingerprint must match)",
        DelegationConflict => "give the rules scopes whose last segments differ, or the same keys and threshold",
        _ => "see docs/policies.md",
    };
}
