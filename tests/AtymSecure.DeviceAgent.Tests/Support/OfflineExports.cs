using System.Formats.Tar;
using AtymSecure.Formats.Tests.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Offline;
using AtymSecure.Primitives;

namespace AtymSecure.DeviceAgent.Tests.Support;

/// <summary>
/// An offline export of a <see cref="ProductionDevice"/>'s world as one tar, laid out as the server's exporter writes it
/// (<see cref="OfflineExportLayout"/>): the director's root chain and an offline document naming the assignments for the
/// device (version <c>offlineVersion</c>, exported now), every file of the image repository, and each bundle under its
/// target path. <c>edit</c> may change any file's bytes on the way (tampering).
/// </summary>
internal static class OfflineExports
{
    public static string WriteTar(ProductionDevice device, string tarPath, long offlineVersion, TestDirector.Assignment[] assignments,
        Func<string, byte[], byte[]>? edit = null)
    {
        var world = device.World;
        var online = world.Director.Document(world.DeviceId, world.DeviceClass, "unused-nonce-000000000000", assignments);
        world.Director.Publish(online with
        {
            Version = offlineVersion,
            Expires = DateTimeOffset.UtcNow + OfflineDirectorCustom.DefaultLifetime,
            Custom = new OfflineDirectorCustom(world.DeviceClass, new EquatableList<string>([world.DeviceId]), DateTimeOffset.UtcNow).ToJson(),
        }, world.Director.TargetsKey);
        var files = new List<(string Path, byte[] Bytes)>();
        foreach (var name in world.Director.Source.Names) files.Add(($"{OfflineExportLayout.DirectorFolder}/{name}", world.Director.Source[name]!));
        foreach (var name in world.Repository.Source.Names) files.Add(($"{OfflineExportLayout.ImageFolder}/{name}", world.Repository.Source[name]!));
        foreach (var a in assignments) files.Add((TargetPaths.Bundle(a.Release.Container, TestImageRepository.Hex(a.Bundle)), a.Bundle));
        using var output = File.Create(tarPath);
        using var tar = new TarWriter(output, TarEntryFormat.Pax);
        foreach (var (path, bytes) in files)
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, path) { DataStream = new MemoryStream(edit?.Invoke(path, bytes) ?? bytes) });
        return tarPath;
    }
}
