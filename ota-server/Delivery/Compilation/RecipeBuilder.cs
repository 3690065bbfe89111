using System.Security.Cryptography;
using AtymSecure.Primitives;

namespace AtymSecure.Delivery.Compilation;

/// <summary>Assembles a <see cref="CompilationRecipe"/> from what a back end did.</summary>
internal static class RecipeBuilder
{
    public static CompilationRecipe Create(
        ReadOnlySpan<byte> wasm,
        byte[] output,
        CompilationKey key,
        string? deviceClass,
        IReadOnlyDictionary<string, string> tools,
        IReadOnlyDictionary<string, string> inputs,
        IReadOnlyList<string> steps)
    {
        var source = RecipeSubject.Of(wasm);
        var produced = RecipeSubject.Of(output);
        var mediaType = AotMediaTypes.For(key.BackEnd);
        var recipe = new CompilationRecipe(CompilationRecipe.SchemaV1, deviceClass, source,
            new RecipeOutput(produced.Digest, produced.Size, mediaType), key, key.Digest, new(tools), new(inputs), [.. steps]);
        var problems = recipe.Validate();
        if (problems.Count > 0)
        {
            var invalid = new CompilationRecipeFormatException(problems);
            throw new AotCompilationException("internal error: produced an " + invalid.Message, invalid);
        }
        return recipe;
    }

    public static string FileDigest(string path)
    {
        using var stream = File.OpenRead(path);
        return Digest.FromSha256(SHA256.HashData(stream)).ToString();
    }

    public static string BytesDigest(ReadOnlySpan<byte> bytes) => Digest.Compute(bytes).ToString();
}

/// <summary>Checks shared by every compiler.</summary>
internal static class AotCompilerGuards
{
    public static void RequireValidKey(CompilationKey key)
    {
        var problems = key.Validate();
        if (problems.Count > 0)
        {
            // Still an AotCompilationException (what compiler callers catch); the problems with their codes ride inside.
            var invalid = new ProblemException("invalid compilation key", problems);
            throw new AotCompilationException(invalid.Message, invalid);
        }
    }

    /// <summary>A Wasm module starts with "\0asm" and version 1; anything else is refused before any tool sees it.</summary>
    public static void RequireWasmHeader(ReadOnlySpan<byte> wasm)
    {
        ReadOnlySpan<byte> header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
        if (wasm.Length < 8 || !wasm[..8].SequenceEqual(header))
            throw new AotCompilationException("input is not a WebAssembly 1.0 binary module (missing \\0asm version 1 header)");
    }
}
