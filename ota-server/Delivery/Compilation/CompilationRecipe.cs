using System.Text.Json;
using System.Text.Json.Serialization;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Primitives;

namespace AtymSecure.Delivery.Compilation;

/// <summary>
/// How one AoT output was made, precisely enough for anyone to rebuild it and compare digests: the input and
/// output digests, the compilation key, tool versions, the digests of every other input file (patched runtime,
/// glue, worker) and the commands run. Carried as the predicate of the output's provenance attestation.
/// Format: docs/aot-compilation.md#recipe.
/// </summary>
/// <param name="Schema">Always <see cref="SchemaV1"/>.</param>
/// <param name="DeviceClass">Device class name, or null for a key compiled outside the class table.</param>
/// <param name="Source">The Wasm module compiled.</param>
/// <param name="Output">The bytes produced.</param>
/// <param name="Key">The compilation key.</param>
/// <param name="KeyDigest">Digest of <see cref="CompilationKey.CanonicalText"/>.</param>
/// <param name="Tools">Tool name → version line, as reported by the tool.</param>
/// <param name="Inputs">Other input files by name (relative to the work directory) → sha256 digest.</param>
/// <param name="Steps">Commands run, in order, with paths relative to the work directory.</param>
public sealed record CompilationRecipe(
    string Schema,
    string? DeviceClass,
    RecipeSubject Source,
    RecipeOutput Output,
    CompilationKey Key,
    string KeyDigest,
    EquatableMap<string> Tools,
    EquatableMap<string> Inputs,
    EquatableList<string> Steps)
{
    /// <summary>Schema identifier of this record (also used as the in-toto predicate type).</summary>
    public const string SchemaV1 = "https://atym.dev/attestations/aot-recipe/v1";

    /// <summary>Largest recipe accepted by <see cref="Parse"/> (real ones are a few KiB).</summary>
    public const int MaxJsonBytes = 256 * 1024;

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        MaxDepth = 16,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Canonical JSON (UTF-8, fixed property order, maps in ordinal key order as <see cref="EquatableMap{TValue}"/> holds them, LF line ends).</summary>
    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Options);

    /// <summary>Parses and validates a recipe; throws <see cref="CompilationRecipeFormatException"/> listing every problem.</summary>
    public static CompilationRecipe Parse(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxJsonBytes)
            throw new CompilationRecipeFormatException(new Problem(CompilationRecipeProblemCodes.TooLarge, "$", $"recipe is {json.Length} bytes, limit {MaxJsonBytes}"));
        CompilationRecipe? recipe;
        try
        {
            recipe = JsonSerializer.Deserialize<CompilationRecipe>(json, Options);
        }
        catch (JsonException ex)
        {
            throw new CompilationRecipeFormatException([new Problem(CompilationRecipeProblemCodes.MalformedJson, ex.Path ?? "$", ex.Message)], ex);
        }
        if (recipe is null) throw new CompilationRecipeFormatException(new Problem(CompilationRecipeProblemCodes.Required, "$", "null"));
        var problems = recipe.Validate();
        if (problems.Count > 0) throw new CompilationRecipeFormatException(problems);
        return recipe;
    }

    /// <summary>Reports every problem at once, each with its JSON path and a <see cref="CompilationRecipeProblemCodes"/> code.</summary>
    public IReadOnlyList<Problem> Validate()
    {
        var p = new List<Problem>();
        void Add(string code, string path, string message) => p.Add(new Problem(code, path, message));
        // Deserialization bypasses nullability: check every reference member.
        if (Schema != SchemaV1) Add(CompilationRecipeProblemCodes.UnsupportedSchema, "$.schema", $"expected '{SchemaV1}', got '{Schema}'");
        if (DeviceClass is not null && !DeviceClassTable.IsKnown(DeviceClass))
            Add(CompilationRecipeProblemCodes.UnknownDeviceClass, "$.deviceClass", $"unknown device class '{DeviceClass}'");
        if (Source is null) Add(CompilationRecipeProblemCodes.Required, "$.source", "missing");
        else Source.Validate("$.source", p);
        if (Output is null) Add(CompilationRecipeProblemCodes.Required, "$.output", "missing");
        else
        {
            Output.Validate("$.output", p);
            if (string.IsNullOrWhiteSpace(Output.MediaType)) Add(CompilationRecipeProblemCodes.Required, "$.output.mediaType", "empty");
        }
        if (Key is null || Key.Engine is null || Key.CpuFeatures is null || Key.Engine.NativeCompilerFlags is null)
            Add(CompilationRecipeProblemCodes.Required, "$.key", "missing or incomplete");
        else
        {
            foreach (var problem in Key.Validate()) p.Add(problem with { Path = "$." + problem.Path });
            if (KeyDigest != Key.Digest)
                Add(CompilationRecipeProblemCodes.KeyDigestMismatch, "$.keyDigest", $"'{KeyDigest}' does not match the key ({Key.Digest})");
        }
        if (Tools is null) Add(CompilationRecipeProblemCodes.Required, "$.tools", "missing");
        if (Inputs is null) Add(CompilationRecipeProblemCodes.Required, "$.inputs", "missing");
        else
            foreach (var (name, digest) in Inputs)
                if (!Primitives.Digest.IsSha256Text(digest))
                    Add(CompilationRecipeProblemCodes.InvalidDigest, $"$.inputs['{name}']", $"'{digest}' is not a sha256 digest");
        if (Steps is null) Add(CompilationRecipeProblemCodes.Required, "$.steps", "missing");
        return p;
    }
}

/// <summary>A digest and size of a file the recipe names.</summary>
public record RecipeSubject(string Digest, long Size)
{
    internal void Validate(string path, List<Problem> problems)
    {
        if (!Primitives.Digest.IsSha256Text(Digest)) problems.Add(new(CompilationRecipeProblemCodes.InvalidDigest, $"{path}.digest", $"'{Digest}' is not a sha256 digest"));
        if (Size < 0) problems.Add(new(CompilationRecipeProblemCodes.NegativeSize, $"{path}.size", "negative"));
    }

    /// <summary>The sha256 digest and size of <paramref name="bytes"/>.</summary>
    public static RecipeSubject Of(ReadOnlySpan<byte> bytes) =>
        new(Primitives.Digest.Compute(bytes).ToString(), bytes.Length);
}

/// <summary>The output file: digest, size and media type.</summary>
public sealed record RecipeOutput(string Digest, long Size, string MediaType) : RecipeSubject(Digest, Size);

/// <summary>
/// A recipe that is not valid JSON or breaks a rule; <see cref="ProblemException.Problems"/> lists every problem found, each
/// with a <see cref="CompilationRecipeProblemCodes"/> (or, under <c>$.key</c>, <see cref="CompilationKeyProblemCodes"/>) code.
/// </summary>
public sealed class CompilationRecipeFormatException : ProblemException
{
    private const string Heading = "invalid AoT recipe";

    public CompilationRecipeFormatException() : base(Heading) { }

    public CompilationRecipeFormatException(string message) : base(message) { }

    public CompilationRecipeFormatException(string message, Exception inner) : base(message, inner) { }

    public CompilationRecipeFormatException(Problem problem) : base(Heading, problem) { }

    public CompilationRecipeFormatException(IReadOnlyList<Problem> problems) : base(Heading, problems) { }

    public CompilationRecipeFormatException(IReadOnlyList<Problem> problems, Exception inner)
        : base(Heading, problems, inner) { }
}
