using System.Diagnostics.CodeAnalysis;
using AtymSecure.Formats.Crypto;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Bundle;

/// <summary>
/// One key a device trusts for bundles, with its scope (docs/trust-model.md §2): a <see cref="BundleKeyRole"/> (what it
/// may sign) and a <see cref="ContainerNamePattern"/> (for which containers). Development devices get these from
/// <c>atym device init --trust ROLE=KEY[:PATTERN]</c>; production devices will build them from verified delegations
/// (the compiler-&lt;class&gt; delegation's key with <see cref="ContainerNamePattern.Any"/>, each vendor delegation's keys
/// with its container patterns), which is why the constructor is public and takes parsed parts only. Compares by
/// role, pattern and the public key's bytes.
/// </summary>
public sealed class TrustedBundleKey : IEquatable<TrustedBundleKey>
{
    public TrustedBundleKey(BundleKeyRole role, VerificationKey key, ContainerNamePattern pattern)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(pattern);
        if (!Enum.IsDefined(role)) throw new ArgumentOutOfRangeException(nameof(role), role, "unknown bundle key role");
        Role = role;
        Key = key;
        Pattern = pattern;
    }

    public BundleKeyRole Role { get; }
    public VerificationKey Key { get; }
    public ContainerNamePattern Pattern { get; }

    public static TrustedBundleKey Vendor(VerificationKey key, ContainerNamePattern pattern) => new(BundleKeyRole.Vendor, key, pattern);

    public static TrustedBundleKey Compiler(VerificationKey key, ContainerNamePattern? pattern = null) => new(BundleKeyRole.Compiler, key, pattern ?? ContainerNamePattern.Any);

    public static TrustedBundleKey Recovery(VerificationKey key, ContainerNamePattern? pattern = null) => new(BundleKeyRole.Recovery, key, pattern ?? ContainerNamePattern.Any);

    /// <summary>
    /// A scoped key from its textual parts (<c>--trust</c>, trust.json): the role must be named, a vendor key needs a
    /// pattern, compiler and recovery keys default to <c>*</c>. Every problem is listed, each with a
    /// <see cref="TrustAnchorProblemCodes"/> code and <paramref name="path"/>.
    /// </summary>
    public static bool TryCreate(string? role, VerificationKey key, string? pattern, string path,
        [NotNullWhen(true)] out TrustedBundleKey? trusted, out IReadOnlyList<Problem> problems)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(path);
        var found = new List<Problem>();
        trusted = null;
        if (!BundleKeyRoles.TryParse(role, out var parsedRole))
            found.Add(new Problem(TrustAnchorProblemCodes.InvalidRole, path,
                role is null ? $"a trusted key needs a role: {BundleKeyRoles.Forms}" : $"'{Shorten(role)}' is not a role; give {BundleKeyRoles.Forms}"));
        ContainerNamePattern? parsedPattern = null;
        if (pattern is null)
        {
            if (parsedRole == BundleKeyRole.Vendor)
                found.Add(new Problem(TrustAnchorProblemCodes.PatternRequired, path, "a vendor key needs the container names it may sign, e.g. vendor=KEY:acme-* ('*' has to be written out)"));
            else parsedPattern = ContainerNamePattern.Any;
        }
        else if (ContainerNamePattern.TryParse(pattern, path, out var p, out var problem)) parsedPattern = p;
        else found.Add(problem);
        problems = found;
        if (found.Count > 0 || parsedPattern is null) return false;
        trusted = new TrustedBundleKey(parsedRole, key, parsedPattern);
        return true;
    }

    /// <summary>Whether this key's pattern covers <paramref name="containerName"/>.</summary>
    public bool Covers(string containerName) => Pattern.Matches(containerName);

    /// <summary>"compiler key 3q2+7w… for *" (messages).</summary>
    public override string ToString() => $"{BundleKeyRoles.NameOf(Role)} key {Key.KeyId} for {Pattern}";

    public bool Equals(TrustedBundleKey? other) =>
        other is not null && Role == other.Role && Pattern.Equals(other.Pattern) && SameKey(Key, other.Key);

    public override bool Equals(object? obj) => obj is TrustedBundleKey other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Role, Pattern, Key.KeyId);

    internal static bool SameKey(VerificationKey a, VerificationKey b) => a.Algorithm == b.Algorithm && ValueEquality.Bytes(a.Spki, b.Spki);

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";
}
