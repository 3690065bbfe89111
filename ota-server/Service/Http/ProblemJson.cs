using System.Text.Json;
using AtymSecure.OtaContracts;
using AtymSecure.Primitives;
using Microsoft.AspNetCore.Http;

namespace AtymSecure.OtaServer.Http;

/// <summary>
/// The one writer of RFC 9457 problem+json answers: <c>type</c> = https://atym.dev/problems/CODE of the first problem,
/// <c>title</c>, <c>status</c>, <c>detail</c>, <c>code</c>, and <c>errors</c> listing every problem with the field that
/// was wrong (<c>path</c>). 429 and 503 carry <c>Retry-After</c>.
/// </summary>
public static class ProblemJson
{
    public const string MediaType = "application/problem+json";

    public static async Task WriteAsync(HttpContext context, OtaProblemException problem)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(problem);
        if (context.Response.HasStarted) return;
        context.Response.StatusCode = problem.Status;
        context.Response.ContentType = MediaType;
        if (problem.RetryAfterSeconds is { } retry) context.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await context.Response.Body.WriteAsync(Body(problem, context.Request.Path)).ConfigureAwait(false);
    }

    public static byte[] Body(OtaProblemException problem, string? instance)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var first = problem.Problems[0];
        return JsonSerializer.SerializeToUtf8Bytes(new ProblemDocument(
            OtaProblemTypes.Uri(first.Code), OtaProblemTypes.Title(problem.Status), problem.Status, first.Message, instance, first.Code,
            problem.Problems.Select(p => new ProblemField(p.Code, p.Path, p.Message, p.Position?.ToString())).ToList()), ProblemDocumentContext.Default.ProblemDocument);
    }
}

/// <summary>The problem+json body (RFC 9457 members plus <c>code</c> and <c>errors</c>).</summary>
public sealed record ProblemDocument(string Type, string Title, int Status, string Detail, string? Instance, string Code, IReadOnlyList<ProblemField> Errors);

/// <summary>One wrong thing: its code, the field (JSON path, header or query parameter), a sentence, and when a file
/// decided it (a policy rule), where: <c>file:line:column</c>.</summary>
public sealed record ProblemField(string Code, string Path, string Message, string? At = null);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ProblemDocument))]
internal sealed partial class ProblemDocumentContext : System.Text.Json.Serialization.JsonSerializerContext;
