using AtymSecure.Formats.UpdateMetadata.Model;

namespace AtymSecure.OtaMetadata.Director;

/// <summary>
/// The director's memory per device: the last targets document it signed (which holds the version, so the version
/// sequence is this document's). Versions must only rise, even across restarts and with two polls racing, so a
/// write is a compare-and-set on the version it replaces. <see cref="FileDirectorTargetsStore"/> keeps the documents
/// as files; the OTA store (LiteDB, later PostgreSQL) implements the same contract.
/// </summary>
public interface IDirectorTargetsStore
{
    /// <summary>The last document signed for <paramref name="deviceId"/>, or null for a device never answered.</summary>
    SignedMetadata<TargetsMetadata>? Latest(string deviceId);

    /// <summary>
    /// Stores <paramref name="document"/> when the stored one still has version <paramref name="replacesVersion"/>
    /// (0 = none stored); false when another writer got there first (the caller re-reads and signs again).
    /// </summary>
    bool TryReplace(string deviceId, long replacesVersion, SignedMetadata<TargetsMetadata> document);
}
