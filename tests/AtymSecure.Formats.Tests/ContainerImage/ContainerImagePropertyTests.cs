using System.Text;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.ContainerImage;
using CsCheck;

namespace AtymSecure.Formats.Tests.ContainerImage;

/// <summary>CsCheck: random valid inputs round-trip; random damage only ever gives the typed error.</summary>
public class ContainerImagePropertyTests
{
    private static readonly string[] Fixed = ["log", "clock", "random", "kv", "sensor:temp0", "sensor:vib0", "gpio:17", "publish:telemetry/temp", "subscribe:cmd/+/set", "subscribe:telemetry/#"];
    private static readonly ArtifactKind[] Kinds = [ArtifactKind.Wasm, ArtifactKind.WasmtimeNative, ArtifactKind.WasmtimePulley];

    private sealed record Input(ContainerConfig Config, Capability[] Grants, ArtifactKind Kind, string? DeviceClass, string? Triple, byte[] Code, Dictionary<string, ReadOnlyMemory<byte>> Blobs);

    private static readonly Gen<Input> Inputs =
        from permissionMask in Gen.Int[0, (1 << Fixed.Length) - 1]
        from blobBytes in Gen.Byte.Array[0, 400].Array[0, 4]
        from grantMask in Gen.Long
        from kind in Gen.Int[0, Kinds.Length - 1]
        from withClass in Gen.Bool
        from code in Gen.Byte.Array[1, 3000]
        from description in Gen.String[Gen.Char['\0', '\u07ff'], 0, 300]
        from variables in Gen.Select(Gen.String[Gen.Char['A', 'Z'], 1, 8], Gen.String[Gen.Char.AlphaNumeric, 0, 20]).Array[0, 5]
        from minor in Gen.Int[0, 50]
        select Build(permissionMask, blobBytes, grantMask, Kinds[kind], withClass, code, description, variables, minor);

    private static Input Build(int permissionMask, byte[][] blobBytes, long grantMask, ArtifactKind kind, bool withClass, byte[] code,
        string description, (string, string)[] variables, int minor)
    {
        var blobs = blobBytes.Select((b, i) => (Name: $"blob-{i}", Bytes: b)).ToArray();
        var permissions = Fixed.Where((_, i) => (permissionMask & (1 << i)) != 0).Select(Capability.Parse)
            .Concat(blobs.Select(b => Capability.Parse("blob:" + b.Name))).ToList();
        var config = new ContainerConfig
        {
            Name = "prop-test",
            Version = SemanticVersion.Parse($"1.{minor}.0"),
            Description = description.Length == 0 ? null : description,
            Entrypoint = "atym_step",
            Variables = new SortedDictionary<string, string>(variables.DistinctBy(v => v.Item1).ToDictionary(v => v.Item1, v => v.Item2), StringComparer.Ordinal),
            Permissions = permissions,
            Blobs = [.. blobs.Select(b => new BlobReference(b.Name, "application/octet-stream", TestImages.Digest(b.Bytes), b.Bytes.Length))],
        };
        var grants = permissions.Where((_, i) => (grantMask & (1L << i)) != 0).ToArray();
        return new Input(config, grants, kind, withClass ? "linux-aarch64" : null, withClass ? "aarch64-unknown-linux-gnu" : null, code,
            blobs.ToDictionary(b => b.Name, b => (ReadOnlyMemory<byte>)b.Bytes));
    }

    private static byte[] Write(Input i) => ContainerImageWriter.Write(i.Config, i.Grants, i.Kind, i.DeviceClass, i.Triple, i.Code, i.Blobs);

    [Fact]
    public void Random_valid_inputs_round_trip_deterministically() =>
        Inputs.Sample(input =>
        {
            var bytes = Write(input);
            Assert.Equal(bytes, Write(input with { Grants = [.. input.Grants.Reverse()] }));
            var image = ContainerImageReader.Read(bytes);
            Assert.Equal(input.Config, image.Config);
            Assert.Equal(input.Config.Permissions.Where(input.Grants.Contains), image.Grants);
            Assert.Equal(input.Kind, image.Code.Kind);
            Assert.Equal(input.DeviceClass, image.Code.DeviceClass);
            Assert.Equal(input.Triple, image.Code.TargetTriple);
            Assert.Equal(input.Code, image.SliceCode(bytes).ToArray());
            Assert.Equal(0, image.Code.Offset % ContainerImageLayout.CodeAlignment);
            Assert.Equal(input.Config.Blobs.Select(b => b.Name), image.Blobs.Select(b => b.Name));
            foreach (var b in image.Blobs)
            {
                Assert.Equal(0, b.Offset % ContainerImageLayout.BlobAlignment);
                Assert.Equal(input.Blobs[b.Name].ToArray(), image.SliceBlob(bytes, b.Name).ToArray());
            }
        }, iter: 300);

    /// <summary>Damage anywhere: set/flip bytes, cut, insert. Either the typed error, or an image whose sections still hash right.</summary>
    [Fact(Timeout = 300_000)]
    public async Task Damaged_images_fail_only_with_the_typed_error() => await Task.Run(() =>
    {
        var valid = TestImages.Valid();
        var edit = Gen.Select(Gen.Int[0, 3], Gen.Int[0, valid.Length - 1], Gen.Byte);
        edit.Array[1, 6].Sample(edits => ReadOrTypedError(Apply(valid, edits)), iter: 4000);
    });

    /// <summary>Damage aimed at the manifest with JSON-ish bytes, to get past the parser into the deeper checks.</summary>
    [Fact(Timeout = 300_000)]
    public async Task Manifest_damage_fails_only_with_the_typed_error() => await Task.Run(() =>
    {
        var valid = TestImages.Valid();
        var manifestEnd = 16 + TestImages.ManifestLength(valid);
        var jsonBytes = Encoding.ASCII.GetBytes("{}[]\":,0123456789-eE.tfnul\\ ");
        var edit = Gen.Select(Gen.Int[0, 1], Gen.Int[16, manifestEnd - 1], Gen.Int[0, jsonBytes.Length - 1].Select(i => jsonBytes[i]));
        edit.Array[1, 4].Sample(edits => ReadOrTypedError(Apply(valid, edits.Select(e => (e.Item1 == 0 ? 0 : 1, e.Item2, e.Item3)).ToArray())), iter: 4000);
    });

    private static readonly string[] Tokens =
        ["\\ud800", "\\udc00x", "\\u0000", "1e999", "-0", "0.5", "18446744073709551616", "null", "true", "[]", "{}", "\"x\":1,", "\"", ",", "[[[[[[[[[", "\u00e9", "\\n"];

    /// <summary>JSON tokens (surrogate escapes, huge numbers, nesting) spliced into the manifest, its length fixed up.</summary>
    [Fact(Timeout = 300_000)]
    public async Task Manifest_token_splices_fail_only_with_the_typed_error() => await Task.Run(() =>
    {
        var valid = TestImages.Valid();
        var length = TestImages.ManifestLength(valid);
        var manifest = Encoding.UTF8.GetString(valid, 16, length);
        var splice = Gen.Select(Gen.Int[0, length], Gen.Int[0, Tokens.Length - 1], Gen.Int[0, 12]);
        splice.Array[1, 3].Sample(edits =>
        {
            var text = manifest;
            foreach (var (at, token, cut) in edits)
            {
                var i = Math.Min(at, text.Length);
                text = text[..i] + Tokens[token] + text[Math.Min(text.Length, i + cut)..];
            }
            var json = Encoding.UTF8.GetBytes(text);
            var image = new byte[16 + json.Length + (valid.Length - 16 - length)];
            valid.AsSpan(0, 16).CopyTo(image);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(12), (uint)json.Length);
            json.CopyTo(image, 16);
            valid.AsSpan(16 + length).CopyTo(image.AsSpan(16 + json.Length));
            ReadOrTypedError(image);
        }, iter: 4000);
    });

    [Fact]
    public void Random_bytes_behind_a_valid_preamble_fail_only_with_the_typed_error() =>
        Gen.Byte.Array[0, 600].Sample(tail =>
        {
            var image = new byte[16 + tail.Length];
            "ATYMCIMG"u8.CopyTo(image);
            image[8] = 1;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(12), (uint)Math.Max(1, tail.Length / 2));
            tail.CopyTo(image, 16);
            ReadOrTypedError(image);
        }, iter: 3000);

    private static byte[] Apply(byte[] valid, (int Kind, int At, byte Value)[] edits)
    {
        var bytes = valid.ToList();
        foreach (var (kind, at, value) in edits)
        {
            var i = at % Math.Max(1, bytes.Count);
            switch (kind)
            {
                case 0 when bytes.Count > 0: bytes[i] = value; break;
                case 1 when bytes.Count > 0: bytes[i] ^= (byte)(1 << (value % 8)); break;
                case 2: bytes.RemoveRange(i, bytes.Count - i); break;
                case 3: bytes.Insert(i, value); break;
            }
        }
        return [.. bytes];
    }

    private static void ReadOrTypedError(byte[] bytes)
    {
        try
        {
            var image = ContainerImageReader.Read(bytes);
            var code = image.SliceCode(bytes).ToArray();
            Assert.Equal(image.Code.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(code)));
            Assert.All(image.Grants, g => Assert.Contains(g, image.Config.Permissions));
        }
        catch (ContainerImageFormatException e)
        {
            Assert.NotEmpty(e.Problems);
        }
    }
}
