using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.Formats.UpdateMetadata.Verification;

namespace AtymSecure.Formats.Tests.UpdateMetadata;

/// <summary>What an attacker (or a broken server) does to a published file: change its content and sign it with some keys.</summary>
internal static class SourceEdit
{
    public static SignedMetadata<T> Read<T>(this MemoryMetadataSource source, string name)
        where T : RoleMetadata, IRoleMetadata<T> => SignedMetadata<T>.Parse(source[name]!);

    public static byte[] Resign<T>(this MemoryMetadataSource source, string name, Func<T, T> change, params IMetadataSigner[] signers)
        where T : RoleMetadata, IRoleMetadata<T>
    {
        var bytes = MetadataSigning.Sign(change(source.Read<T>(name).Signed), signers).ToBytes();
        source[name] = bytes;
        return bytes;
    }
}
