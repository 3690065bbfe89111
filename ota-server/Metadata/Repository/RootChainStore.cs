using AtymSecure.Formats;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;

namespace AtymSecure.OtaMetadata.Repository;

/// <summary>
/// A repository's root chain, <c>1.root.json</c> … <c>N.root.json</c>, kept forever in its <see cref="MetadataFolder"/>
/// (a device offline for a year walks every version, docs/trust-model.md §9). Roots are signed offline; the server
/// only accepts the next one when it would pass the device's own root walk (TUF §5.3): version N+1, a threshold of
/// the current root's root keys AND of its own, the roles this repository needs, and not already expired.
/// <para>
/// Replicas (issue 17, docs/scale-out.md) share the metadata folder, so a root one replica accepted is the next file in
/// every replica's folder. Reading <see cref="Current"/> or accepting first catches up on it (the first read walks the
/// chain from <c>1.root.json</c>, so an unchecked newest file is never the current root): while <c>N+1.root.json</c>
/// exists beside the current root N, it is adopted if it passes the same version, role and threshold checks as an upload
/// (not the expiry: that was checked when it was accepted, and a device walks an expired intermediate root too). Without
/// this a replica started before the first root was uploaded through a peer kept answering every poll without director
/// targets (no root), and its devices were never offered anything. A file that fails the checks (no replica could have
/// written it through <see cref="Accept"/>) is not adopted: the chain stays where it was, and the upload of the genuine
/// next root fails on the taken name (<see cref="MetadataVersionConflictException"/> naming the file to look at). The cost on the poll path is one
/// existence check of the next version's file.
/// </para>
/// </summary>
public sealed class RootChainStore
{
    private readonly MetadataFolder _folder;
    private readonly IReadOnlyList<string> _requiredRoles;
    private readonly Lock _gate = new();
    private SignedMetadata<RootMetadata>? _current;

    public RootChainStore(MetadataFolder folder, IReadOnlyList<string> requiredRoles)
    {
        _folder = folder;
        _requiredRoles = requiredRoles;
    }

    /// <summary>The newest root, or null before the first one was accepted.</summary>
    public SignedMetadata<RootMetadata>? Current
    {
        get
        {
            lock (_gate)
            {
                CatchUp();
                return _current;
            }
        }
    }

    public SignedMetadata<RootMetadata> Require() =>
        Current ?? throw new MetadataRefusedException(ReasonCodes.MetadataMissing, "1.root.json", "no root yet: sign one offline (atym tuf init) and upload it");

    /// <summary>Checks and publishes the next root (or the first, which only needs its own threshold); returns it.</summary>
    public SignedMetadata<RootMetadata> Accept(ReadOnlySpan<byte> file, DateTimeOffset now)
    {
        var next = SignedMetadata<RootMetadata>.Parse(file);
        lock (_gate)
        {
            CatchUp();
            var expected = (_current?.Signed.Version ?? 0) + 1;
            var name = $"{next.Signed.Version}.root.json";
            if (next.Signed.Version != expected)
                throw Refuse(ReasonCodes.RollbackVersion, name, "$.signed.version", $"root version {next.Signed.Version}, the next one is {expected}");
            foreach (var role in _requiredRoles)
                if (next.Signed.RoleOrNull(role) is null) throw Refuse(ReasonCodes.MetadataMalformed, name, $"$.signed.roles.{role}", "required by this repository");
            if (next.Signed.IsExpired(now, TimeSpan.Zero)) throw Refuse(ReasonCodes.MetadataExpired, name, "$.signed.expires", $"expired at {RoleMetadata.FormatTime(next.Signed.Expires)}");
            if (_current is { } old) ThresholdCheck.Require(next, old.Signed.Keys, old.Signed.Roles["root"], "root (current keys)");
            ThresholdCheck.Require(next, next.Signed.Keys, next.Signed.Roles["root"], "root (new keys)");
            _folder.WriteOnce(name, next.FileBytes);
            _current = next;
            return next;
        }
    }

    /// <summary>Adopts the roots a peer on the same folder accepted after this one's current (see the type). Under the gate.</summary>
    private void CatchUp()
    {
        while (true)
        {
            var name = $"{(_current?.Signed.Version ?? 0) + 1}.root.json";
            if (!_folder.Exists(name) || _folder.Read(name) is not { } bytes) return;
            SignedMetadata<RootMetadata> next;
            try
            {
                next = SignedMetadata<RootMetadata>.Parse(bytes);
                if (next.Signed.Version != (_current?.Signed.Version ?? 0) + 1 || _requiredRoles.Any(r => next.Signed.RoleOrNull(r) is null)) return;
                if (_current is { } old) ThresholdCheck.Require(next, old.Signed.Keys, old.Signed.Roles["root"], "root (current keys)");
                ThresholdCheck.Require(next, next.Signed.Keys, next.Signed.Roles["root"], "root (new keys)");
            }
            catch (Exception e) when (e is MetadataRefusedException or FormatException or System.Text.Json.JsonException or InvalidDataException or ArgumentException)
            {
                return;
            }
            _current = next;
        }
    }

    private static MetadataRefusedException Refuse(string code, string file, string path, string detail) =>
        new(new MetadataRefusal(code, path, detail, "root", file));
}
