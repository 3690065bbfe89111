using AtymSecure.Formats.Tests.UpdateMetadata.Json;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Json;
using CsCheck;

namespace AtymSecure.Formats.Tests.UpdateMetadata.Model;

/// <summary>
/// Every metadata reader, fed mutated valid files, either reads them or refuses with a typed
/// <see cref="MetadataRefusedException"/>; nothing else escapes. 100k cases per file kind in the suite (a few seconds
/// each); longer runs: see <see cref="CanonicalJsonFuzzTests"/>.
/// </summary>
public class MetadataFuzzTests
{
    /// <summary>One file per reader at 100k cases; compiler and director files are targets files again, run at 10k.</summary>
    public static TheoryData<string, long> Kinds => new()
    {
        { "root", CanonicalJsonFuzzTests.Iterations },
        { "timestamp", CanonicalJsonFuzzTests.Iterations },
        { "snapshot", CanonicalJsonFuzzTests.Iterations },
        { "targets", CanonicalJsonFuzzTests.Iterations },
        { "compiler", CanonicalJsonFuzzTests.Iterations / 10 },
        { "director", CanonicalJsonFuzzTests.Iterations / 10 },
    };

    private static string KindOf(string name) => name switch
    {
        "compiler" or "director" => "targets",
        _ => name,
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Mutated_bytes_read_or_fail_typed(string name, long iterations)
    {
        var valid = SampleMetadata.AllFiles().Single(f => f.Name == name).Bytes;
        var edit = Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte, Gen.Int[0, 3]);
        edit.Array[1, 4].Sample(edits =>
        {
            var copy = (byte[])valid.Clone();
            var length = copy.Length;
            foreach (var (at, value, kind) in edits)
            {
                switch (kind)
                {
                    case 0: copy[at] = value; break;
                    case 1: copy[at] ^= (byte)(1 << (value % 8)); break;
                    case 2: copy[at] = (byte)"{}[]\",:0-\\"[value % 10]; break;
                    default: length = Math.Min(length, at); break;
                }
            }
            try { MetadataModelTests.ParseAs(KindOf(name), copy[..length]); }
            catch (MetadataRefusedException) { }
        }, iter: iterations);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Any_value_at_any_member_reads_or_fails_typed(string name, long iterations)
    {
        var valid = (CanonicalJsonObject)StrictJsonReader.Parse(SampleMetadata.AllFiles().Single(f => f.Name == name).Bytes);
        var paths = MemberPaths(valid, "").ToArray();
        Gen.Select(Gen.Int[0, paths.Length - 1], CanonicalJsonFuzzTests.Values, Gen.Bool).Sample((index, value, remove) =>
        {
            var edited = JsonEdit.Set(valid, paths[index], remove ? null : value);
            try { MetadataModelTests.ParseAs(KindOf(name), CanonicalJsonWriter.EncodeDocument(edited)); }
            catch (MetadataRefusedException) { }
        }, iter: iterations / 10); // each case builds a tree: 10k per file
    }

    private static IEnumerable<string> MemberPaths(CanonicalJsonValue value, string prefix)
    {
        switch (value)
        {
            case CanonicalJsonObject obj:
                foreach (var (key, member) in obj.Members)
                {
                    var path = prefix.Length == 0 ? key : $"{prefix}|{key}";
                    yield return path;
                    foreach (var inner in MemberPaths(member, path)) yield return inner;
                }
                break;
            case CanonicalJsonArray array:
                for (var i = 0; i < array.Items.Count; i++)
                    foreach (var inner in MemberPaths(array.Items[i], $"{prefix}|{i}")) yield return inner;
                break;
        }
    }
}
