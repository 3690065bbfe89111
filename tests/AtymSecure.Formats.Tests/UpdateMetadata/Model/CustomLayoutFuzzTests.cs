using AtymSecure.Formats.Tests.UpdateMetadata.Json;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Json;
using AtymSecure.Formats.UpdateMetadata.Model;
using CsCheck;

namespace AtymSecure.Formats.Tests.UpdateMetadata.Model;

/// <summary>The readers of our <c>custom</c> layouts, fed any value at any member, read or refuse typed (100k cases each).</summary>
public class CustomLayoutFuzzTests
{
    public static TheoryData<string> Layouts => new() { "image", "director-target", "director-target-with-window", "director-document", "offline-director-document" };

    private static (CanonicalJsonObject Valid, Action<CanonicalJsonObject> Read) Layout(string name) => name switch
    {
        "image" => (new ImageTargetCustom(SampleMetadata.Release, "sha256:" + new string('b', 64)).ToJson(), c => ImageTargetCustom.FromJson(c, "$")),
        "director-target" => (new DirectorTargetCustom(SampleMetadata.Release, new ImageReference(new string('a', 64), 9)).ToJson(), c => DirectorTargetCustom.FromJson(c, "$")),
        "director-target-with-window" => (new DirectorTargetCustom(SampleMetadata.Release, new ImageReference(new string('a', 64), 9),
            new InstallWindow([new UtcInterval(Start, Start.AddHours(2)), new UtcInterval(Start.AddDays(1), Start.AddDays(1).AddHours(2))])).ToJson(),
            c => DirectorTargetCustom.FromJson(c, "$")),
        "offline-director-document" => (new OfflineDirectorCustom("linux-x86_64", ["atym-0123456789abcdef", "atym-fedcba9876543210"],
            new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero)).ToJson(), c => OfflineDirectorCustom.FromJson(c, "$")),
        _ => (new DirectorDocumentCustom("atym-0123456789abcdef", "linux-x86_64", "nonce-0123456789abcdef").ToJson(), c => DirectorDocumentCustom.FromJson(c, "$")),
    };

    private static readonly DateTimeOffset Start = new(2026, 12, 3, 2, 0, 0, TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Any_value_at_any_member_reads_or_fails_typed(string name)
    {
        var (valid, read) = Layout(name);
        string[] members = [.. valid.Members.Keys, "image|sha256", "image|length", "extra", "nonce",
            "installWindow|intervals", "installWindow|extra", "installWindow|intervals|1|start", "installWindow|intervals|0|end"];
        Gen.Select(Gen.Int[0, members.Length - 1], CanonicalJsonFuzzTests.Values, Gen.Bool).Sample((index, value, remove) =>
        {
            var path = members[index];
            if (path.StartsWith("image|", StringComparison.Ordinal) && !valid.Members.ContainsKey("image")) path = "extra";
            if (path.StartsWith("installWindow|", StringComparison.Ordinal) && !valid.Members.ContainsKey(InstallWindow.Member)) path = "extra";
            try { read(JsonEdit.Set(valid, path, remove ? null : value)); }
            catch (MetadataRefusedException) { }
        }, iter: CanonicalJsonFuzzTests.Iterations);
    }
}
