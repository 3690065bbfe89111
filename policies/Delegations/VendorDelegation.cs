using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Primitives;

namespace AtymSecure.Policies.Delegations;

/// <summary>
/// One vendor delegation of the image repository's top-level targets as the trust rule <see cref="Rule"/> implies it:
/// role <c>vendor-RULE</c>, the rule's keys (as TUF keys) and threshold, terminating, listing sources of the
/// containers <see cref="ContainerGlobs"/> (<c>sources/GLOB/*/module.wasm</c>). What the device trusts for those
/// containers (docs/trust-model.md §3 steps 8 and 10).
/// </summary>
public sealed record VendorDelegation(string Vendor, string Rule, SourcePosition At, EquatableList<string> KeyNames, EquatableList<TufKey> Keys, int Threshold, EquatableList<string> ContainerGlobs)
{
    public string Role => TargetPaths.VendorRole(Vendor);

    public EquatableList<string> Paths => [.. ContainerGlobs.Select(TargetPaths.VendorPattern)];

    public EquatableList<string> KeyIds => [.. Keys.Select(k => k.KeyId).Order(StringComparer.Ordinal)];

    /// <summary>One line: role, threshold of the named keys (with their TUF key ids), paths, and the rule it comes from.</summary>
    public override string ToString() =>
        $"{Role}: threshold {Threshold} of {string.Join(", ", KeyNames.Zip(Keys, (name, key) => $"{name} {key.KeyId}"))}; terminating; paths {string.Join(", ", Paths)}  ({Rule} at {At})";
}
