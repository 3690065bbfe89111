using AtymSecure.TestSupport;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.Crypto;
using AtymSecure.Primitives;

namespace AtymSecure.Cli.Tests.Commands;

/// <summary>
/// Issue 10: a 40-character name built and bundled, then <c>atym device init --container NAME=1M</c> spun at full
/// CPU forever. Now every step of build → bundle → device init → install applies the one container-name rule and
/// refuses with a clear error; each command runs under a deadline, so a step that hangs fails instead of stalling.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ContainerNameRuleTests : IDisposable
{
    private const string LongName = "sensor-filter-abcdefghijklmnopqrstuvwxyz";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly TempFolder _temp = TempFolder.Create("names");

    public void Dispose() => _temp.Dispose();

    private static string Samples([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "samples"));

    private static async Task<CliRunner.Result> Refused(string expected, params string[] args)
    {
        var r = await CliRunner.RunAsync(args).WaitAsync(Deadline);
        Assert.True(r.ExitCode == 1, $"atym {string.Join(' ', args)} exited {r.ExitCode}: {r.StdErr}{r.StdOut}");
        Assert.Contains(expected, r.StdErr, StringComparison.Ordinal);
        return r;
    }

    [Fact]
    public void The_name_used_here_is_40_characters() => Assert.Equal(40, LongName.Length);

    [Fact]
    public async Task Build_refuses_a_name_longer_than_a_device_holds()
    {
        var project = Path.Combine(_temp.Path, "project");
        Directory.CreateDirectory(project);
        foreach (var file in Directory.GetFiles(Path.Combine(Samples(), "sensor-filter")))
            File.Copy(file, Path.Combine(project, Path.GetFileName(file)));
        var yaml = Path.Combine(project, "atym.yaml");
        File.WriteAllText(yaml, File.ReadAllText(yaml).Replace("name: sensor-filter", $"name: {LongName}", StringComparison.Ordinal));
        await Refused("40 characters, at most 32", "build", project, "-o", Path.Combine(_temp.Path, "layout"));
        Assert.False(Directory.Exists(Path.Combine(_temp.Path, "layout", "blobs")));
    }

    [Fact]
    public async Task Device_init_refuses_it_at_once_instead_of_spinning()
    {
        var key = Path.Combine(_temp.Path, "trusted.pub");
        using (var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256)) File.WriteAllText(key, ecdsa.ExportSubjectPublicKeyInfoPem());
        // Before the fix this never returned (the planner grew the flash forever); the deadline turns that into a failure.
        await Refused("40 characters, at most 32", "device", "init", "--data", Path.Combine(_temp.Path, "dev"), "--container", $"{LongName}=1M", "--trust", "compiler=" + key);
        await Refused("has '.'", "device", "init", "--data", Path.Combine(_temp.Path, "dev"), "--container", "my.app=1M", "--trust", "compiler=" + key);
        Assert.False(Directory.Exists(Path.Combine(_temp.Path, "dev")));

        var ok = await CliRunner.RunAsync("device", "init", "--data", Path.Combine(_temp.Path, "dev"), "--container", $"{LongName[..32]}=1M", "--trust", "compiler=" + key).WaitAsync(Deadline);
        Assert.True(ok.ExitCode == 0, ok.StdErr);

        // Install: a bundle whose header names the long container is refused as malformed, before any signature or flash work.
        var bundle = Path.Combine(_temp.Path, "long-name.bundle");
        await File.WriteAllBytesAsync(bundle, await BundleNaming(LongName));
        await Refused("containerName: '" + LongName + "' is 40 characters", "device", "install", bundle, "--data", Path.Combine(_temp.Path, "dev"));
    }

    [Fact]
    public void Bundles_cannot_be_written_for_it() =>
        Assert.Contains("40 characters, at most 32", Assert.Throws<BundleFormatException>(() => BundleFrame.EncodeSignedPrefix(Header(LongName))).Message, StringComparison.Ordinal);

    private static BundleHeader Header(string name) => new()
    {
        ContainerName = name,
        ContainerVersion = "1.0.0",
        SecurityCounter = SecurityCounter.DefaultFor(SemanticVersion.Parse("1.0.0")),
        DeviceClass = "linux-x86_64",
        TargetTriple = "wasm32-unknown-unknown",
        ArtifactKind = ArtifactKind.Wasm,
        ImageFormat = ImageFormat.ContainerImageV1,
        TargetDigest = Digest.Compute(new byte[1]),
        TargetSize = 1,
        PayloadKind = PayloadKind.Full,
        Codec = PayloadCodec.None,
        PayloadLength = 1,
        ChunkSize = 4096,
        ChunkHashes = BundleFrame.HashChunks(new byte[1], 4096),
        ExpiresUnixSeconds = (ulong)DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds(),
    };

    /// <summary>
    /// A bundle as an old writer (bundle header grammar unbounded) would frame it: a valid header for a 32-character name,
    /// its name TLV (the first entry) then rewritten to <paramref name="name"/>.
    /// </summary>
    private static async Task<byte[]> BundleNaming(string name)
    {
        var header = Header(name[..32]);
        using var buffer = new MemoryStream();
        await BundleFrame.WriteAsync(buffer, header, [new BundleSignature(SignatureAlgorithm.EcdsaP256Sha256, "key", new byte[64])], new byte[1]);
        var good = buffer.ToArray();
        var oldLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(good.AsSpan(BundleLayout.PrefixBytes + 2));
        var value = Encoding.ASCII.GetBytes(name);
        var start = BundleLayout.PrefixBytes + 6;
        var bytes = good[..start].Concat(value).Concat(good[(start + oldLength)..]).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(BundleLayout.PrefixBytes + 2), (uint)value.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), BinaryPrimitives.ReadUInt32LittleEndian(good.AsSpan(12)) + (uint)(value.Length - oldLength));
        return bytes;
    }
}
