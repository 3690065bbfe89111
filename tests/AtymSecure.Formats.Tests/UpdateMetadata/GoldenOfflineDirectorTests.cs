using System.Runtime.CompilerServices;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Json;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.Formats.UpdateMetadata.Verification;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Tests.UpdateMetadata;

/// <summary>
/// Golden offline director documents (docs/update-metadata.md §9), format v1, kept forever beside the online goldens of
/// <see cref="GoldenUpdateMetadataTests"/>, whose image repository and director root they are checked against: the
/// director's targets with <c>custom.offline</c> (device list, class, exportedAt, no nonce), signed by the golden
/// director-targets key (Ed25519, so rewriting gives the same bytes). Written with ATYM_WRITE_GOLDENS=1 only when the
/// folder is missing.
/// </summary>
public class GoldenOfflineDirectorTests
{
    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    private static readonly string GoldenDir = Path.Combine(Here(), "Golden", "offline-v1");

    private const string Device = "atym-0123456789abcdef";

    private static UpdateCheck VerifyOffline(string file, long storedOfflineVersion = 0)
    {
        var image = GoldenUpdateMetadataTests.Load("image");
        var director = GoldenUpdateMetadataTests.Load("director");
        var state = TrustedState.Provision(image["1.root.json"], director["1.root.json"]);
        director[TestDirector.TargetsFile] = File.ReadAllBytes(Path.Combine(GoldenDir, file));
        var device = new DeviceContext(Device, "linux-x86_64", [],
            new EquatableMap<InstalledContainer>([KeyValuePair.Create("sensor-filter", new InstalledContainer(0))]));
        var at = GoldenUpdateMetadataTests.Made.AddDays(2); // a site installs days after the export
        return new UpdateVerifier(new ManualClock(at)).CheckOffline(state, new UpdateSources(director, image), device, storedOfflineVersion);
    }

    [Fact]
    public void The_golden_offline_document_verifies_offline_to_the_golden_update()
    {
        var update = VerifyOffline("director-offline.json").RequireUpdate();
        Assert.Equal(GoldenUpdateMetadataTests.Release, Assert.Single(update.Installs).Release);
    }

    [Theory]
    [InlineData("director-offline.json", 2, ReasonCodes.RollbackVersion)] // the device stored a newer export (the same version again is accepted)
    [InlineData("bad/director-offline.other-devices.json", 0, ReasonCodes.WrongDevice)]
    [InlineData("bad/director-offline.with-nonce.json", 0, ReasonCodes.MetadataMalformed)]
    public void Golden_offline_refusals_keep_their_verdict(string file, long storedOfflineVersion, string code)
    {
        Assert.Equal(code, VerifyOffline(file, storedOfflineVersion).Refusal?.Code);
    }

    [Fact]
    public void Our_writer_still_writes_every_golden_byte_for_byte()
    {
        foreach (var file in Directory.GetFiles(GoldenDir, "*.json", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            var read = SignedMetadata<TargetsMetadata>.Parse(bytes);
            Assert.True(bytes.AsSpan().SequenceEqual(SignedMetadata<TargetsMetadata>.Create(read.Signed, read.Signatures).ToBytes()),
                $"{Path.GetRelativePath(GoldenDir, file)} is not what our writer writes from its content");
        }
    }

    [Fact]
    public void Golden_set_is_complete()
    {
        if (Environment.GetEnvironmentVariable("ATYM_WRITE_GOLDENS") == "1" && !Directory.Exists(GoldenDir)) Write();
        string[] expected = ["bad/director-offline.other-devices.json", "bad/director-offline.with-nonce.json", "director-offline.json"];
        Assert.Equal(expected, Directory.GetFiles(GoldenDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(GoldenDir, f).Replace('\\', '/')).Order(StringComparer.Ordinal));
    }

    /// <summary>Makes the golden set (once; see the class comment) from the online golden director document.</summary>
    private static void Write()
    {
        var online = GoldenUpdateMetadataTests.Load("director").Read<TargetsMetadata>(TestDirector.TargetsFile).Signed;
        var made = GoldenUpdateMetadataTests.Made;
        var key = TestKeys.Ed25519("director-targets");
        TargetsMetadata Offline(string[] devices) => online with
        {
            Version = 1,
            Expires = made + OfflineDirectorCustom.DefaultLifetime,
            Custom = new OfflineDirectorCustom("linux-x86_64", new EquatableList<string>(devices), made).ToJson(),
        };
        void Save(string relative, TargetsMetadata document)
        {
            var path = Path.Combine(GoldenDir, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, MetadataSigning.Sign(document, key).ToBytes());
        }
        Save("director-offline.json", Offline([Device, "atym-fedcba9876543210"]));
        Save("bad/director-offline.other-devices.json", Offline(["atym-fedcba9876543210", "atym-1111111111111111"]));
        // An offline document never carries a nonce: the same custom with one added.
        Save("bad/director-offline.with-nonce.json", Offline([Device]) with
        {
            Custom = CanonicalJsonObject.Of((OfflineDirectorCustom.Marker, true), ("deviceClass", "linux-x86_64"), ("devices", CanonicalJsonArray.Of([Device])),
                ("exportedAt", RoleMetadata.FormatTime(made)), ("nonce", GoldenUpdateMetadataTests.Nonce)),
        });
    }
}
