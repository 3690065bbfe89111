using System.Diagnostics.CodeAnalysis;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Bundle;

/// <summary>
/// Every bundle key a device trusts, each with its scope (<see cref="TrustedBundleKey"/>): what
/// <see cref="BundleVerifier"/> checks a bundle's signatures against (docs/trust-model.md §3 step 13, through
/// <see cref="BundleSignerCheck"/>). One key has one role and one pattern: the same public key twice is refused, so a
/// key's scope is never the union of two entries. Production devices will build one from their verified delegations
/// plus their provisioned recovery keys; development devices from <c>--trust ROLE=KEY[:PATTERN]</c>. Compares by value.
/// </summary>
public sealed class BundleTrustAnchors : IEquatable<BundleTrustAnchors>
{
    public const int MaxKeys = 64;

    private BundleTrustAnchors(EquatableList<TrustedBundleKey> keys) => Keys = keys;

    public EquatableList<TrustedBundleKey> Keys { get; }

    /// <exception cref="ProblemException">Duplicate keys or too many (codes from <see cref="TrustAnchorProblemCodes"/>).</exception>
    public static BundleTrustAnchors Of(params IEnumerable<TrustedBundleKey> keys) =>
        TryCreate(keys, out var anchors, out var problems) ? anchors : throw new ProblemException("trusted bundle keys", problems);

    public static bool TryCreate(IEnumerable<TrustedBundleKey> keys, [NotNullWhen(true)] out BundleTrustAnchors? anchors, out IReadOnlyList<Problem> problems)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var list = keys.ToList();
        var found = new List<Problem>();
        if (list.Count > MaxKeys) found.Add(new Problem(TrustAnchorProblemCodes.TooManyKeys, "keys", $"{list.Count} trusted keys, at most {MaxKeys}"));
        for (var i = 0; i < list.Count; i++)
            for (var j = 0; j < i; j++)
                if (TrustedBundleKey.SameKey(list[i].Key, list[j].Key))
                {
                    found.Add(new Problem(TrustAnchorProblemCodes.DuplicateKey, $"keys[{i}]",
                        $"key {list[i].Key.KeyId} is already trusted as keys[{j}] ({list[j]}); one key has one role and one pattern (use comma alternatives)"));
                    break;
                }
        problems = found;
        anchors = found.Count == 0 ? new BundleTrustAnchors([.. list]) : null;
        return anchors is not null;
    }

    /// <summary>Whether some key may sign bundles that are not recovery bundles (development devices need one).</summary>
    public bool HasBundleKey => Keys.Any(k => k.Role is BundleKeyRole.Vendor or BundleKeyRole.Compiler);

    public bool Equals(BundleTrustAnchors? other) => other is not null && Keys.Equals(other.Keys);

    public override bool Equals(object? obj) => obj is BundleTrustAnchors other && Equals(other);

    public override int GetHashCode() => Keys.GetHashCode();

    public override string ToString() => string.Join("; ", Keys);
}
