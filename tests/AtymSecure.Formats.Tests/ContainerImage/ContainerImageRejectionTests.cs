using System.Buffers.Binary;
using System.Text.Json.Nodes;
using AtymSecure.Formats.ContainerImage;

namespace AtymSecure.Formats.Tests.ContainerImage;

/// <summary>Each rule of docs/container-image-format.md#validation, broken on purpose, gives its own problem text.</summary>
public class ContainerImageRejectionTests
{
    private static readonly byte[] Valid = TestImages.Valid();

    private static void AssertProblem(byte[] image, string expected)
    {
        var problems = TestImages.Problems(image);
        Assert.True(problems.Any(p => p.Contains(expected, StringComparison.Ordinal)),
            $"expected a problem containing '{expected}', got:\n  {string.Join("\n  ", problems)}");
    }

    private static byte[] Patch(Action<byte[]> edit)
    {
        var copy = (byte[])Valid.Clone();
        edit(copy);
        return copy;
    }

    private static JsonObject Code(JsonObject m) => m["code"]!.AsObject();

    private static JsonObject Blob(JsonObject m, int i) => m["blobs"]![i]!.AsObject();

    [Fact]
    public void Edit_helper_without_an_edit_gives_back_the_same_bytes() => Assert.Equal(Valid, TestImages.Edit(Valid, _ => { }));

    [Fact]
    public void Too_short_for_the_preamble() => AssertProblem(Valid[..15], "shorter than the 16-byte preamble");

    [Fact]
    public void Wrong_magic() => AssertProblem(Patch(b => b[0] = (byte)'X'), "expected 'ATYMCIMG'");

    [Fact]
    public void Unknown_format_version() =>
        AssertProblem(Patch(b => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(8), 2)), "format version 2 is not supported");

    [Fact]
    public void Nonzero_reserved_field() =>
        AssertProblem(Patch(b => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(10), 7)), "reserved field is 7, must be 0");

    [Fact]
    public void Nonzero_reserved_field_is_reported_with_the_other_problems()
    {
        var image = TestImages.Edit(Valid, m => m["grants"]!.AsArray().Add("gpio:4"));
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(10), 1);
        var problems = TestImages.Problems(image);
        Assert.Contains("reserved: reserved field is 1, must be 0", problems);
        Assert.Contains(problems, p => p.Contains("'gpio:4' is not in config.permissions", StringComparison.Ordinal));
    }

    [Fact]
    public void Zero_manifest_length() =>
        AssertProblem(Patch(b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), 0)), "manifest length 0 is outside 1..65536");

    [Fact]
    public void Manifest_length_above_64_KiB() =>
        AssertProblem(Patch(b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), 65537)), "manifest length 65537 is outside 1..65536");

    [Fact]
    public void Manifest_running_past_the_end() =>
        AssertProblem(Valid[..(16 + TestImages.ManifestLength(Valid) - 1)], "runs past the end of the");

    [Fact]
    public void Image_above_64_MiB() => AssertProblem(new byte[64 * 1024 * 1024 + 1], "limit 67108864");

    [Fact]
    public void Manifest_that_is_not_json() => AssertProblem(Patch(b => b[16] = (byte)'['), "manifest: malformed JSON");

    [Fact]
    public void Manifest_that_is_not_utf8() => AssertProblem(Patch(b => b[20] = 0xff), "manifest: not valid UTF-8");

    [Fact]
    public void Manifest_nested_too_deep()
    {
        var deep = TestImages.Edit(Valid, m => m["config"]!["variables"] = JsonNode.Parse("{\"A\":[[[[[[[[1]]]]]]]]}"));
        AssertProblem(deep, "manifest: nested 11 levels deep, limit 8");
    }

    [Fact]
    public void Manifest_nested_beyond_the_scan_limit_is_refused_without_recursion()
    {
        AssertProblem(Reframe(Valid, new string('[', 5000) + new string(']', 5000)), "manifest: malformed JSON or nested deeper than 256 levels");
    }

    [Theory]
    [InlineData("{\"blobs\":[],\"code\":{\"kind\":\"\\ud800\"}}", "manifest: the string at byte 27 is not valid UTF-16 text (lone surrogate escape)")]
    [InlineData("{\"\\udc00\":1}", "manifest: the string at byte 1 is not valid UTF-16 text")]
    [InlineData("{\"grants\":[\"\\ud800x\"]}", "manifest: the string at byte 11 is not valid UTF-16 text")]
    public void Lone_surrogate_escapes_are_reported_not_thrown(string manifest, string expected) => AssertProblem(Reframe(Valid, manifest), expected);

    [Fact]
    public void Manifest_that_is_not_an_object() => AssertProblem(Reframe(Valid, "[]"), "manifest: must be an object, is Array");

    /// <summary>The preamble of <paramref name="image"/> with <paramref name="manifest"/> as the manifest and nothing after it.</summary>
    private static byte[] Reframe(byte[] image, string manifest)
    {
        var bytes = new byte[16 + manifest.Length];
        image.AsSpan(0, 12).CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), (uint)manifest.Length);
        System.Text.Encoding.ASCII.GetBytes(manifest).CopyTo(bytes, 16); // the valid manifest is ASCII
        return bytes;
    }

    [Fact]
    public void Unknown_top_level_key() => AssertProblem(TestImages.Edit(Valid, m => m["signature"] = "x"), "manifest: unknown key 'signature'");

    [Fact]
    public void Unknown_code_key() => AssertProblem(TestImages.Edit(Valid, m => Code(m)["entry"] = 1), "manifest.code: unknown key 'entry'");

    [Fact]
    public void Unknown_blob_key() => AssertProblem(TestImages.Edit(Valid, m => Blob(m, 0)["mediaType"] = "x/y"), "manifest.blobs[0]: unknown key 'mediaType'");

    [Fact]
    public void Missing_grants() => AssertProblem(TestImages.Edit(Valid, m => m.Remove("grants")), "manifest.grants: required");

    [Fact]
    public void Duplicate_key_is_refused()
    {
        var json = System.Text.Encoding.UTF8.GetString(Valid, 16, TestImages.ManifestLength(Valid));
        var duplicated = json.Replace("\"grants\":[", "\"grants\":[],\"grants\":[", StringComparison.Ordinal);
        AssertProblem(Reframe(Valid, duplicated), "manifest.grants: key appears twice");
    }

    [Fact]
    public void Wasm2c_code_kind_is_refused() =>
        AssertProblem(TestImages.Edit(Valid, m => Code(m)["kind"] = "wasm2c-object"), "manifest.code.kind: wasm2c objects are not allowed in a container image");

    [Fact]
    public void Unknown_code_kind() => AssertProblem(TestImages.Edit(Valid, m => Code(m)["kind"] = "jvm"), "'jvm' is not one of wasm, wasmtime-native, wasmtime-pulley");

    [Fact]
    public void Unknown_device_class() =>
        AssertProblem(TestImages.Edit(Valid, m => Code(m)["deviceClass"] = "toaster"), "manifest.code.deviceClass: 'toaster' is not a known device class");

    [Fact]
    public void Negative_offset() => AssertProblem(TestImages.Edit(Valid, _ => { }, afterRelocate: m => Code(m)["offset"] = -1), "manifest.code.offset: must be an integer in 0..67108864, is -1");

    [Fact]
    public void Uppercase_sha256() =>
        AssertProblem(TestImages.Edit(Valid, m => Code(m)["sha256"] = Code(m)["sha256"]!.GetValue<string>().ToUpperInvariant()), "manifest.code.sha256: '");

    [Fact]
    public void Misaligned_code_offset() =>
        AssertProblem(TestImages.Edit(Valid, _ => { }, afterRelocate: m => Code(m)["offset"] = Code(m)["offset"]!.GetValue<long>() + 8),
            "manifest.code.offset: " );

    [Fact]
    public void Misaligned_code_offset_names_the_expected_offset()
    {
        var codeOffset = ContainerImageReader.Read(Valid).Code.Offset;
        var image = TestImages.Edit(Valid, _ => { }, afterRelocate: m => Code(m)["offset"] = codeOffset + 8);
        AssertProblem(image, $"manifest.code.offset: {codeOffset + 8} is not where the format puts it ({codeOffset}, the next multiple of 256 after");
    }

    [Fact]
    public void Misaligned_blob_offset()
    {
        var blob = ContainerImageReader.Read(Valid).Blobs[1];
        var image = TestImages.Edit(Valid, _ => { }, afterRelocate: m => Blob(m, 1)["offset"] = blob.Offset + 64);
        AssertProblem(image, $"manifest.blobs[1].offset: {blob.Offset + 64} is not where the format puts it ({blob.Offset}, the next multiple of 64 after");
    }

    [Fact]
    public void Overlapping_blobs()
    {
        var parsed = ContainerImageReader.Read(Valid);
        var image = TestImages.Edit(Valid, _ => { }, afterRelocate: m => Blob(m, 1)["offset"] = parsed.Blobs[0].Offset);
        AssertProblem(image, $"manifest.blobs[1].offset: {parsed.Blobs[0].Offset} overlaps the previous part of the image");
    }

    [Fact]
    public void Blobs_out_of_order_are_refused()
    {
        var image = TestImages.Edit(Valid, m =>
        {
            var blobs = m["blobs"]!.AsArray();
            var first = blobs[0]!.DeepClone();
            blobs.RemoveAt(0);
            blobs.Add(first);
        });
        AssertProblem(image, "manifest.blobs[0].name: 'labels' but config.blobs[0] is 'model' (sections follow config.blobs order)");
    }

    [Fact]
    public void Section_past_the_end() => AssertProblem(Valid[..^1], "manifest.blobs[1]: ");

    [Fact]
    public void Section_past_the_end_names_the_image_size()
    {
        var b = ContainerImageReader.Read(Valid).Blobs[1];
        AssertProblem(Valid[..^1], $"manifest.blobs[1]: {b.Offset}+{b.Length} runs past the end of the {Valid.Length - 1}-byte image");
    }

    [Fact]
    public void Trailing_bytes() => AssertProblem([.. Valid, 0, 0, 0], $"3 trailing bytes after the last section (at {Valid.Length})");

    [Fact]
    public void Nonzero_padding()
    {
        var manifestEnd = 16 + TestImages.ManifestLength(Valid);
        AssertProblem(Patch(b => b[manifestEnd] = 1), $"padding at {manifestEnd}..");
    }

    [Fact]
    public void Code_hash_mismatch()
    {
        var code = ContainerImageReader.Read(Valid).Code;
        AssertProblem(Patch(b => b[code.Offset + 10] ^= 1), "manifest.code.sha256: the section hashes to");
    }

    [Fact]
    public void Blob_hash_mismatch()
    {
        var blob = ContainerImageReader.Read(Valid).Blobs[0];
        AssertProblem(Patch(b => b[blob.Offset] ^= 1), "manifest.blobs[0].sha256: the section hashes to");
    }

    [Fact]
    public void Blob_digest_differs_from_the_config()
    {
        // Section and its manifest hash agree, but the config names another digest.
        var other = TestImages.Bytes(300, 77);
        var image = TestImages.Edit(Valid, m => m["config"]!["blobs"]![0]!["digest"] = TestImages.Digest(other));
        AssertProblem(image, $"manifest.blobs[0].sha256: {TestImages.Digest(TestImages.Model)[7..]} but config.blobs[0].digest is {TestImages.Digest(other)}");
    }

    [Fact]
    public void Blob_size_differs_from_the_config() =>
        AssertProblem(TestImages.Edit(Valid, m => m["config"]!["blobs"]![1]!["size"] = 8), "manifest.blobs[1].length: 7 but config.blobs[1].size is 8");

    [Fact]
    public void Config_blob_without_a_section() =>
        AssertProblem(TestImages.Edit(Valid, m => m["blobs"]!.AsArray().RemoveAt(1)), "manifest.blobs: config blob 'labels' has no section");

    [Fact]
    public void Grant_beyond_the_permissions() =>
        AssertProblem(TestImages.Edit(Valid, m => m["grants"]!.AsArray().Add("gpio:4")), "manifest.grants[4]: 'gpio:4' is not in config.permissions (a deployment may grant less than the container asks, never more)");

    [Fact]
    public void Grant_that_is_not_a_capability() =>
        AssertProblem(TestImages.Edit(Valid, m => m["grants"]!.AsArray().Add("root")), "manifest.grants[4]: 'root' is not a capability: unknown capability kind 'root'");

    [Fact]
    public void Grant_listed_twice() =>
        AssertProblem(TestImages.Edit(Valid, m => m["grants"]!.AsArray().Add("log")), "manifest.grants[4]: 'log' is granted twice");

    [Fact]
    public void Invalid_config_is_reported_with_its_path() =>
        AssertProblem(TestImages.Edit(Valid, m => m["config"]!["resources"]!["cpuBudgetMs"] = 0), "manifest.config.resources.cpuBudgetMs: 0 is outside");

    [Fact]
    public void Unknown_config_field_is_refused() =>
        AssertProblem(TestImages.Edit(Valid, m => m["config"]!["privileged"] = true), "manifest.config");

    [Fact]
    public void Grants_out_of_permission_order_are_not_canonical() =>
        Assert.Equal(["manifest: not in canonical form (keys sorted, no whitespace, grants in the config's permission order, config exactly as ContainerConfigJson.Serialize writes it)"],
            TestImages.Problems(TestImages.Edit(Valid, m =>
            {
                var grants = m["grants"]!.AsArray();
                var first = grants[0]!.DeepClone();
                grants.RemoveAt(0);
                grants.Add(first);
            })));

    [Fact]
    public void Unsorted_keys_are_not_canonical() =>
        AssertProblem(TestImages.Edit(Valid, m =>
        {
            var blobs = m["blobs"]!.DeepClone();
            m.Remove("blobs");
            m["blobs"] = blobs;
        }), "manifest: not in canonical form");

    [Fact]
    public void More_than_64_blobs_are_refused() =>
        AssertProblem(TestImages.Edit(Valid, m =>
        {
            var blobs = m["blobs"]!.AsArray();
            while (blobs.Count < 65) blobs.Add(blobs[1]!.DeepClone());
        }), "manifest.blobs: 65 blobs, limit 64");

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var image = TestImages.Edit(Valid, m =>
        {
            m["grants"]!.AsArray().Add("gpio:4");
            Code(m)["kind"] = "jvm";
            m["config"]!["blobs"]![1]!["size"] = 8;
        });
        var problems = TestImages.Problems(image);
        Assert.Contains(problems, p => p.Contains("'gpio:4' is not in config.permissions", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'jvm' is not one of", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("config.blobs[1].size is 8", StringComparison.Ordinal));
    }
}
