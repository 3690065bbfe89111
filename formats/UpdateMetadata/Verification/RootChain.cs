using AtymSecure.Formats.UpdateMetadata.Model;

namespace AtymSecure.Formats.UpdateMetadata.Verification;

/// <summary>
/// TUF §5.3 for one repository: fetch <c>N+1.root.json</c> until the source has none, each signed by a threshold of
/// the trusted root's root keys <em>and</em> of its own, and exactly version N+1; then the last one must not have
/// expired (intermediate roots may have: an offline device walks through them). At most
/// <see cref="UpdateMetadataLimits.MaxRootRotations"/> per cycle. Each accepted root is handed to the caller at
/// once, so the walk's progress survives a refusal further on.
/// </summary>
internal static class RootChain
{
    public static SignedMetadata<RootMetadata> Walk(
        SignedMetadata<RootMetadata> trusted,
        MetadataFetch fetch,
        string[] requiredRoles,
        UpdateMetadataLimits limits,
        DateTimeOffset now,
        Action<SignedMetadata<RootMetadata>> accepted)
    {
        for (var i = 0; i < limits.MaxRootRotations; i++)
        {
            var next = trusted.Signed.Version + 1;
            var file = $"{next}.root.json";
            var bytes = fetch.TryFetch("root", file, limits.MaxRootBytes);
            if (bytes is null) break;
            var candidate = fetch.Parse<RootMetadata>("root", file, bytes);
            // Old keys first: a root the trusted keys never signed says nothing, whatever it claims.
            fetch.RequireThreshold(candidate, trusted.Signed.Keys, trusted.Signed.RoleOrNull("root"), "root", file);
            fetch.RequireThreshold(candidate, candidate.Signed.Keys, candidate.Signed.RoleOrNull("root"), "root", file);
            if (candidate.Signed.Version != next)
                throw fetch.Refuse(ReasonCodes.RootChainBroken, "root", file, "$.signed.version",
                    $"version {candidate.Signed.Version}, expected {next}");
            try
            {
                TrustedState.RequireRoles(candidate.Signed, requiredRoles);
            }
            catch (MetadataRefusedException e)
            {
                throw e.In("root", file, fetch.Step);
            }
            trusted = candidate;
            accepted(trusted);
        }
        fetch.RequireNotExpired(trusted.Signed, "root", $"{trusted.Signed.Version}.root.json", now, limits.ClockSkew);
        return trusted;
    }

    /// <summary>TUF §5.3.11: the keys of a role changed between two roots (ids or threshold).</summary>
    public static bool RoleChanged(RootMetadata before, RootMetadata after, string role) =>
        !Equals(before.RoleOrNull(role), after.RoleOrNull(role));
}
