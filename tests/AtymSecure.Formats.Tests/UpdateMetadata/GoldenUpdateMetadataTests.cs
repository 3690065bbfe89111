using AtymSecure.Primitives;
using System.Runtime.CompilerServices;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.Formats.UpdateMetadata.Verification;

namespace AtymSecure.Formats.Tests.UpdateMetadata;

/// <summary>
/// Golden update metadata, format v1, kept forever: an image repository (root 1 → 2, timestamp, snapshot, top-level
/// targets, compiler and vendor delegations, the vendor's file ECDSA-signed) and a director (root, one device's
/// targets), made once by our writer with <see cref="TestKeys"/>. Every reader must keep verifying them with the same
/// verdicts, and our writer must keep producing the same bytes from what it reads. tuf-js reads the image repository
/// in <see cref="Interop.TufJsInteropTests"/>. Written with ATYM_WRITE_GOLDENS=1 only when the folder is missing (the
/// ECDSA signature predates RFC 6979 signing, so rewriting would change files that must stay as they are).
/// </summary>
public class GoldenUpdateMetadataTests
{
    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    internal static readonly string GoldenDir = Path.Combine(Here(), "Golden", "v1");

    internal static readonly DateTimeOffset Made = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Far enough that tuf-js, which reads the real clock, accepts the good ones for decades.</summary>
    private static readonly DateTimeOffset Far = new(2099, 1, 1, 0, 0, 0, TimeSpan.Zero);

    internal const string Nonce = "nonce-golden-0000000001";

    internal static readonly ReleaseIdentity Release = new("sensor-filter", "1.2.0", "linux-x86_64", 7, AtymSecure.Formats.Bundle.ArtifactKind.WasmtimeNative);

    public static TheoryData<string, string, string, string> BadCases => new()
    {
        // bad file, repository, the good file it replaces, the verdict
        { "timestamp.wrong-key.json", "image", "timestamp.json", ReasonCodes.ThresholdNotMet },
        { "timestamp.expired.json", "image", "timestamp.json", ReasonCodes.MetadataExpired },
        { "compiler.tampered.json", "image", "3.compiler-linux-x86_64.json", ReasonCodes.SnapshotMismatch },
        { "targets.other-device.json", "director", "targets.json", ReasonCodes.WrongDevice },
    };

    internal static MemoryMetadataSource Load(string repository)
    {
        var source = new MemoryMetadataSource();
        foreach (var file in Directory.GetFiles(Path.Combine(GoldenDir, repository), "*.json")) source[Path.GetFileName(file)] = File.ReadAllBytes(file);
        return source;
    }

    private static UpdateCheck Verify(MemoryMetadataSource image, MemoryMetadataSource director)
    {
        var state = TrustedState.Provision(image["1.root.json"], director["1.root.json"]);
        var device = new DeviceContext("atym-0123456789abcdef", "linux-x86_64", [Nonce],
            new EquatableMap<InstalledContainer>([KeyValuePair.Create("sensor-filter", new InstalledContainer(0))]));
        return new UpdateVerifier(new ManualClock(Made.AddHours(1))).Check(state, new UpdateSources(director, image), device);
    }

    [Fact]
    public void Golden_v1_repositories_verify_to_the_same_update()
    {
        var update = Verify(Load("image"), Load("director")).RequireUpdate();
        var install = Assert.Single(update.Installs);
        var image = File.ReadAllBytes(Path.Combine(GoldenDir, "image.img"));
        Assert.Equal(Release, install.Release);
        Assert.Equal(new ImageReference(TestImageRepository.Hex(image), image.Length), install.Image);
        Assert.Equal(TargetPaths.Image(Release, TestImageRepository.Hex(image)), install.ImagePath);
        Assert.Equal(TestImageRepository.Hex(File.ReadAllBytes(Path.Combine(GoldenDir, "bundle.bin"))), install.Bundle.Sha256);
        Assert.Equal("ecdsa", install.SourceRole.Keys.Single().KeyType);
        Assert.Equal(Nonce, update.Nonce);
    }

    [Theory]
    [MemberData(nameof(BadCases))]
    public void Golden_v1_bad_files_keep_their_verdict(string bad, string repository, string replaces, string code)
    {
        var image = Load("image");
        var director = Load("director");
        (repository == "image" ? image : director)[replaces] = File.ReadAllBytes(Path.Combine(GoldenDir, "bad", bad));
        Assert.Equal(code, Verify(image, director).Refusal?.Code);
    }

    [Fact]
    public void Our_writer_still_writes_every_golden_byte_for_byte()
    {
        foreach (var file in Directory.GetFiles(GoldenDir, "*.json", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            var name = Path.GetFileName(file);
            byte[] rewritten = name switch
            {
                _ when name.EndsWith("root.json", StringComparison.Ordinal) => Rewrite(SignedMetadata<RootMetadata>.Parse(bytes)),
                _ when name.StartsWith("timestamp", StringComparison.Ordinal) => Rewrite(SignedMetadata<TimestampMetadata>.Parse(bytes)),
                _ when name.EndsWith("snapshot.json", StringComparison.Ordinal) => Rewrite(SignedMetadata<SnapshotMetadata>.Parse(bytes)),
                _ => Rewrite(SignedMetadata<TargetsMetadata>.Parse(bytes)),
            };
            Assert.True(bytes.AsSpan().SequenceEqual(rewritten), $"{Path.GetRelativePath(GoldenDir, file)} is not what our writer writes from its content");
        }
    }

    private static byte[] Rewrite<T>(SignedMetadata<T> read) where T : RoleMetadata, IRoleMetadata<T> =>
        SignedMetadata<T>.Create(read.Signed, read.Signatures).ToBytes();

    [Fact]
    public void Golden_set_is_complete()
    {
        if (Environment.GetEnvironmentVariable("ATYM_WRITE_GOLDENS") == "1" && !Directory.Exists(GoldenDir)) Write();
        string[] expected =
        [
            "bad/compiler.tampered.json", "bad/targets.other-device.json", "bad/timestamp.expired.json", "bad/timestamp.wrong-key.json",
            "bundle.bin",
            "director/1.root.json", "director/targets.json",
            "image.img",
            "image/1.compiler-linux-x86_64.json", "image/1.root.json", "image/1.snapshot.json", "image/1.targets.json", "image/1.vendor-acme.json",
            "image/2.compiler-linux-x86_64.json", "image/2.root.json", "image/2.snapshot.json", "image/2.targets.json", "image/2.vendor-acme.json",
            "image/3.compiler-linux-x86_64.json", "image/3.snapshot.json", "image/3.targets.json", "image/3.vendor-acme.json", "image/timestamp.json",
        ];
        var present = Directory.GetFiles(GoldenDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(GoldenDir, f).Replace('\\', '/')).Where(f => !f.StartsWith("targets/", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        Assert.Equal(expected, present);
        Assert.Single(Directory.GetFiles(Path.Combine(GoldenDir, "targets"), "*.img", SearchOption.AllDirectories));
    }

    /// <summary>Makes the golden set (once; see the class comment).</summary>
    private static void Write()
    {
        var clock = new ManualClock(Made);
        var life = Far - Made;
        var repository = new TestImageRepository(clock) { RootLife = life, TargetsLife = life, SnapshotLife = life, TimestampLife = life, DelegatedLife = life };
        repository.RepublishAll(); // every file valid until 2099 (the constructor's first files expire sooner)
        using var ecdsa = TestKeys.EcdsaP256();
        repository.VendorKey = ecdsa;
        repository.ChangeTopLevel(t => t with { Delegations = repository.CurrentDelegations() });
        var image = "golden container image v1: sensor-filter 1.2.0 for linux-x86_64"u8.ToArray();
        var bundle = "golden bundle v1 that yields the golden image"u8.ToArray();
        var imageSha = repository.AddRelease(Release, image, "golden source wasm"u8.ToArray());
        repository.Publish();
        repository.RotateRoot(root => root, [TestKeys.Ed25519("image-root-2")]);

        var director = new TestDirector(clock) { TargetsLife = life };
        director.Source["1.root.json"] = MetadataSigning.Sign(director.Root with { Expires = Far }, director.RootKey).ToBytes();
        director.Assign("atym-0123456789abcdef", "linux-x86_64", Nonce, new TestDirector.Assignment(Release, imageSha, image.Length, bundle));

        void Save(string relative, byte[] bytes)
        {
            var path = Path.Combine(GoldenDir, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        }
        foreach (var name in repository.Source.Names) Save($"image/{name}", repository.Source[name]!);
        foreach (var name in director.Source.Names) Save($"director/{name}", director.Source[name]!);
        Save("image.img", image);
        Save("bundle.bin", bundle);
        var imagePath = TargetPaths.Image(Release, imageSha);
        Save($"targets/{Path.GetDirectoryName(imagePath)}/{imageSha}.{Path.GetFileName(imagePath)}", image);

        var timestamp = repository.Source.Read<TimestampMetadata>("timestamp.json").Signed;
        Save("bad/timestamp.wrong-key.json", MetadataSigning.Sign(timestamp, repository.SnapshotKey).ToBytes());
        Save("bad/timestamp.expired.json", MetadataSigning.Sign(timestamp with { Version = timestamp.Version + 1, Expires = Made.AddDays(-1) }, repository.TimestampKey).ToBytes());
        var compiler = repository.Source.Read<TargetsMetadata>("3.compiler-linux-x86_64.json").Signed;
        Save("bad/compiler.tampered.json", MetadataSigning.Sign(compiler with { Expires = compiler.Expires.AddSeconds(-1) }, repository.CompilerKey).ToBytes());
        Save("bad/targets.other-device.json", MetadataSigning.Sign(director.Source.Read<TargetsMetadata>("targets.json").Signed with
        {
            Version = 2,
            Custom = new DirectorDocumentCustom("atym-fedcba9876543210", "linux-x86_64", Nonce).ToJson(),
        }, director.TargetsKey).ToBytes());
    }
}
