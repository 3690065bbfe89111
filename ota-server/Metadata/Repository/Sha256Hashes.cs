using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Primitives;

namespace AtymSecure.OtaMetadata.Repository;

/// <summary>A TUF <c>hashes</c> object from a sha256 already known (the file itself is elsewhere: registry, bundle store).</summary>
internal static class Sha256Hashes
{
    public static EquatableMap<string> Of(string sha256Hex) => new([KeyValuePair.Create(FileHashes.Sha256, sha256Hex)]);
}
