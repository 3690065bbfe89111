using System.Text;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Delivery.Compilation;
using AtymSecure.TestSupport;
using CsCheck;

namespace AtymSecure.Delivery.Tests.Compilation;

public sealed class CompilationRecipeTests
{
    private static CompilationRecipe Sample()
    {
        var key = CompilationKey.ForDeviceClass(DeviceClassTable.McuCortexM4);
        var source = RecipeSubject.Of("wasm"u8);
        var output = RecipeSubject.Of("object"u8);
        return new CompilationRecipe(CompilationRecipe.SchemaV1, "mcu-cortex-m4", source,
            new RecipeOutput(output.Digest, output.Size, AotMediaTypes.Wasm2cObject),
            key, key.Digest,
            new Dictionary<string, string> { ["wasm2c"] = "1.0.32", ["clang"] = "Debian clang version 14.0.6" },
            new Dictionary<string, string> { ["wasm-rt-impl.c"] = RecipeSubject.Of("rt"u8).Digest },
            ["wasm2c module.wasm -n atym -o atym.c"]);
    }

    [Fact]
    public void Json_round_trips_byte_for_byte()
    {
        var json = Sample().ToJsonBytes();
        var parsed = CompilationRecipe.Parse(json);
        Assert.Equal(json, parsed.ToJsonBytes());
        Assert.Equal(Sample().Key, parsed.Key);
        Assert.Contains("\"backEnd\": \"wasm2c\"", Encoding.UTF8.GetString(json), StringComparison.Ordinal);
    }

    [Fact]
    public void Recipes_parsed_twice_are_equal_and_every_member_takes_part_in_equality()
    {
        var json = Sample().ToJsonBytes();
        var a = CompilationRecipe.Parse(json);
        var b = CompilationRecipe.Parse(json);
        Assert.NotSame(a.Tools, b.Tools);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(Sample(), a);
        var key = CompilationKey.ForDeviceClass(DeviceClassTable.McuCortexM33);
        var other = RecipeSubject.Of("other"u8);
        var different = new CompilationRecipe("other", null, other, new RecipeOutput(other.Digest, 1, "x/y"), key, key.Digest,
            new Dictionary<string, string> { ["clang"] = "other" }, new Dictionary<string, string>(), ["other"]);
        Assert.Empty(ValueEqualityProbe.PropertiesIgnoredByEquals(a, different));
    }

    [Fact]
    public void Engine_settings_compare_compiler_flags_in_order()
    {
        var settings = CompilationKey.ForDeviceClass(DeviceClassTable.McuCortexM4).Engine;
        Assert.Equal(settings, settings with { NativeCompilerFlags = [.. settings.NativeCompilerFlags] });
        Assert.NotEqual(settings, settings with { NativeCompilerFlags = [.. settings.NativeCompilerFlags.Reverse()] });
        Assert.Empty(ValueEqualityProbe.PropertiesIgnoredByEquals(settings,
            new EngineSettings(!settings.ConsumeFuel, !settings.EpochInterruption, BoundsCheckMode.GuardPages, "other", ["-x"], settings.ExceptionBufferBytes + 1)));
    }

    [Fact]
    public void Validate_reports_every_problem_with_its_path()
    {
        var bad = Sample() with
        {
            Schema = "other",
            DeviceClass = "mcu-z80",
            Source = new RecipeSubject("md5:abc", -1),
            KeyDigest = "sha256:" + new string('0', 64),
        };
        var problems = bad.Validate();
        Assert.Equal(
            [
                (CompilationRecipeProblemCodes.UnsupportedSchema, "$.schema"), (CompilationRecipeProblemCodes.UnknownDeviceClass, "$.deviceClass"),
                (CompilationRecipeProblemCodes.InvalidDigest, "$.source.digest"), (CompilationRecipeProblemCodes.NegativeSize, "$.source.size"),
                (CompilationRecipeProblemCodes.KeyDigestMismatch, "$.keyDigest"),
            ],
            problems.Select(p => (p.Code, p.Path)));
        var ex = Assert.Throws<CompilationRecipeFormatException>(() => CompilationRecipe.Parse(bad.ToJsonBytes()));
        Assert.Equal(problems, ex.Problems);
        Assert.StartsWith("invalid AoT recipe (5 problems):", ex.Message, StringComparison.Ordinal);
        var badKey = Sample() with { Key = Sample().Key with { Triple = "host" } };
        Assert.Contains(badKey.Validate(), p => p.Code == CompilationKeyProblemCodes.HostDependentTriple && p.Path == "$.key.triple");
    }

    [Fact]
    public void Oversized_unknown_member_and_null_inputs_are_refused()
    {
        static void Refused(byte[] json, string code, string path)
        {
            var problem = Assert.Single(Assert.Throws<CompilationRecipeFormatException>(() => CompilationRecipe.Parse(json)).Problems);
            Assert.Equal((code, path), (problem.Code, problem.Path));
        }

        Refused(new byte[CompilationRecipe.MaxJsonBytes + 1], CompilationRecipeProblemCodes.TooLarge, "$");
        var extra = Encoding.UTF8.GetString(Sample().ToJsonBytes()).Replace("{", "{\"surprise\": 1,", StringComparison.Ordinal);
        Refused(Encoding.UTF8.GetBytes(extra), CompilationRecipeProblemCodes.MalformedJson, "$.surprise");
        Refused("null"u8.ToArray(), CompilationRecipeProblemCodes.Required, "$");
        var ex = Assert.Throws<CompilationRecipeFormatException>(() => CompilationRecipe.Parse("{\"schema\": \"x\"}"u8));
        Assert.NotEmpty(ex.Problems);
    }

    [Fact]
    public void Mutated_recipes_either_parse_or_fail_with_a_format_error()
    {
        var json = Sample().ToJsonBytes();
        Gen.Select(Gen.Int[0, json.Length - 1], Gen.Byte, Gen.Int[0, json.Length])
            .Sample((position, value, cut) =>
            {
                var mutated = json.ToArray();
                mutated[position] = value;
                var input = mutated.AsSpan(0, Math.Max(cut, position + 1)).ToArray();
                try
                {
                    var recipe = CompilationRecipe.Parse(input);
                    Assert.Empty(recipe.Validate());
                }
                catch (CompilationRecipeFormatException ex)
                {
                    Assert.NotEmpty(ex.Problems);
                }
            }, iter: 2000);
    }

    [Fact]
    public void Random_bytes_never_escape_as_anything_but_a_format_error()
    {
        Gen.Byte.Array[0, 512].Sample(bytes =>
        {
            try
            {
                CompilationRecipe.Parse(bytes);
            }
            catch (CompilationRecipeFormatException)
            {
                // expected for almost every input
            }
        }, iter: 2000);
    }
}
