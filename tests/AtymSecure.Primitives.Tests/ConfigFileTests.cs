using System.Text.Json.Nodes;
using AtymSecure.TestSupport;
using CsCheck;

namespace AtymSecure.Primitives.Tests;

/// <summary>
/// The one configuration-file loader of both servers: size cap, a missing file, malformed and empty documents, unknown
/// keys (strict binding), comments and trailing commas, another syntax through the caller's converter, and any bytes at
/// all either binding or refused as <see cref="InvalidDataException"/> naming the file.
/// </summary>
public sealed class ConfigFileTests : IDisposable
{
    private readonly TempFolder _dir = TempFolder.Create("config-file");

    public void Dispose() => _dir.Dispose();

    private sealed record Sample
    {
        public string DataDirectory { get; init; } = "";
        public int Port { get; init; }
    }

    private string Write(string name, string text)
    {
        var path = _dir.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void A_json_file_with_comments_and_trailing_commas_binds_with_camel_case_keys_in_any_case()
    {
        var path = Write("server.json", "{\n  // where the data lives\n  \"dataDirectory\": \"data\",\n  \"PORT\": 8080,\n}");
        Assert.Equal(new Sample { DataDirectory = "data", Port = 8080 }, ConfigFile.Load<Sample>(path, ConfigFile.StrictJson));
    }

    [Fact]
    public void Unknown_keys_malformed_and_empty_documents_are_refused_naming_the_file()
    {
        var typo = Write("typo.json", "{\"dataDirectry\": \"x\"}");
        var e = Assert.Throws<InvalidDataException>(() => ConfigFile.Load<Sample>(typo, ConfigFile.StrictJson));
        Assert.StartsWith(typo + ": ", e.Message, StringComparison.Ordinal);
        Assert.Contains("dataDirectry", e.Message, StringComparison.Ordinal);

        var malformed = Write("malformed.json", "{\"port\": ");
        Assert.StartsWith(malformed + ": ", Assert.Throws<InvalidDataException>(() => ConfigFile.Load<Sample>(malformed, ConfigFile.StrictJson)).Message, StringComparison.Ordinal);
        var wrongType = Write("wrong-type.json", "{\"port\": \"eighty\"}");
        Assert.Contains("port", Assert.Throws<InvalidDataException>(() => ConfigFile.Load<Sample>(wrongType, ConfigFile.StrictJson)).Message, StringComparison.Ordinal);
        var empty = Write("empty.json", "null");
        Assert.Equal($"{empty}: empty document", Assert.Throws<InvalidDataException>(() => ConfigFile.Load<Sample>(empty, ConfigFile.StrictJson)).Message);
    }

    [Fact]
    public void A_file_above_the_cap_is_refused_before_it_is_read_and_a_missing_file_says_so()
    {
        var big = Write("big.json", "{\"dataDirectory\": \"" + new string('a', (int)ConfigFile.MaxFileBytes) + "\"}");
        Assert.Equal($"{big}: larger than {ConfigFile.MaxFileBytes} bytes", Assert.Throws<InvalidDataException>(() => ConfigFile.Load<Sample>(big, ConfigFile.StrictJson)).Message);
        var missing = _dir.File("missing.json");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => ConfigFile.Load<Sample>(missing, ConfigFile.StrictJson)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_syntax_goes_through_the_callers_converter_and_json_never_does()
    {
        string? converted = null;
        JsonNode? Convert(string text)
        {
            converted = text;
            return new JsonObject { ["dataDirectory"] = "from-converter", ["port"] = 1 };
        }

        Assert.Equal("from-converter", ConfigFile.Load<Sample>(Write("server.yaml", "dataDirectory: x\n"), ConfigFile.StrictJson, Convert).DataDirectory);
        Assert.Equal("dataDirectory: x\n", converted);
        converted = null;
        // A .json name, or a document that starts with '{', is JSON whatever converter is given.
        Assert.Equal("j", ConfigFile.Load<Sample>(Write("server.json", "{\"dataDirectory\": \"j\"}"), ConfigFile.StrictJson, Convert).DataDirectory);
        Assert.Equal("k", ConfigFile.Load<Sample>(Write("server.conf", "  {\"dataDirectory\": \"k\"}"), ConfigFile.StrictJson, Convert).DataDirectory);
        Assert.Null(converted);
    }

    [Fact]
    public void Relative_paths_resolve_against_the_files_folder_and_absolute_ones_stay()
    {
        var path = _dir.File("server.json");
        Assert.Equal(Path.Combine(_dir.Path, "data"), ConfigFile.ResolveRelative(path, "data"));
        Assert.Equal("/srv/data", ConfigFile.ResolveRelative(path, "/srv/data"));
        Assert.Null(ConfigFile.ResolveRelative(path, null));
    }

    [Fact]
    public void The_strict_options_cannot_be_changed_by_one_server_for_the_other()
    {
        Assert.True(ConfigFile.StrictJson.IsReadOnly);
        Assert.Throws<InvalidOperationException>(() => ConfigFile.StrictJson.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip);
    }

    [Fact]
    public void Any_bytes_either_bind_or_are_refused_as_invalid_data_naming_the_file()
    {
        var path = _dir.File("fuzz.json");
        var valid = "{\"dataDirectory\": \"d\", \"port\": 5}"u8.ToArray();
        Gen.OneOf(Gen.Byte.Array[0, 64], Gen.Int[0, valid.Length - 1].Select(Gen.Byte, (at, b) => { var m = (byte[])valid.Clone(); m[at] = b; return m; }))
            .Sample(bytes =>
            {
                File.WriteAllBytes(path, bytes);
                try
                {
                    ConfigFile.Load<Sample>(path, ConfigFile.StrictJson);
                }
                catch (InvalidDataException e)
                {
                    Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
                }
            }, iter: 500, threads: 1);
    }
}
