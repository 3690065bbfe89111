using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaContracts;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaServer.Devices;
using AtymSecure.OtaServer.Http;
using AtymSecure.OtaServer.Metrics;
using AtymSecure.OtaStore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AtymSecure.OtaServer.Endpoints;

/// <summary>
/// The device's session endpoints (docs/device-protocol.md): poll (ETag / If-None-Match → 304), version reports (signed
/// by the device key, nonce single use), and the device's private director files (<c>N.root.json</c>, <c>targets.json</c>).
/// Each answers only the device of the session (another device's id: 404) within its request budget.
/// </summary>
internal static class PollEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var device = app.MapGroup("/api/v1/devices/{id}").RequireAuthorization(OtaPolicies.Device).WithTags("device protocol");
        device.MapGet("/poll", PollAsync).Produces(200).Produces(304);
        device.MapPost("/reports", ReportAsync).Accepts<object>(DeviceProtocolPaths.MediaType).Produces(200);
        device.MapGet("/director/{name}", DirectorFile).Produces(200);
    }

    /// <summary>The poll's route (<see cref="PollFastPath"/> finds the endpoint by it).</summary>
    public const string PollRoute = "/api/v1/devices/{id}/poll";

    private static async Task<IResult> PollAsync(string id, HttpContext context, DeviceCaller caller, DeviceStates states, PollAnswers answers, OtaMeters metrics)
    {
        caller.Require(context, id);
        return await AnswerAsync(context, id, states.Get(id)!, answers, metrics).ConfigureAwait(false);
    }

    /// <summary>The poll's answer for an authenticated, admitted device: 304 when its <c>If-None-Match</c> names the answer's
    /// ETag, else the answer (routed endpoint and <see cref="PollFastPath"/> alike).</summary>
    internal static async Task<IResult> AnswerAsync(HttpContext context, string id, DeviceSnapshot device, PollAnswers answers, OtaMeters metrics)
    {
        var ifNoneMatch = context.Request.Headers.IfNoneMatch;
        bool ClientHas(string etag) => Names(ifNoneMatch, etag);
        var (body, etag) = await answers.AnswerAsync(id, device, ifNoneMatch.Count == 0 ? null : ClientHas, context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers.ETag = etag;
        context.Response.Headers.CacheControl = "no-cache";
        if (body is null || ClientHas(etag))
        {
            metrics.Poll("not-modified");
            return Results.StatusCode(304);
        }
        metrics.Poll("changed");
        return DeviceEndpoints.Protocol(body);
    }

    /// <summary>Whether an <c>If-None-Match</c> header (one or more values, each a comma-separated list) names <paramref name="etag"/>.</summary>
    private static bool Names(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string etag)
    {
        foreach (var value in ifNoneMatch)
        {
            if (value is null) continue;
            if (value == etag) return true; // the usual case: one ETag, as the device sent it
            foreach (var part in value.Split(','))
                if (part.Trim() == etag) return true;
        }
        return false;
    }

    private static async Task<IResult> ReportAsync(string id, HttpContext context, DeviceCaller caller, IDeviceStore devices, IDeviceReportStore store,
        ReportSummaries summaries, TimeProvider clock)
    {
        caller.Require(context, id);
        var signed = SignedVersionReport.Parse(await RequestBody.ReadJsonAsync(context.Request, SignedVersionReport.MaxBytes).ConfigureAwait(false));
        var device = devices.Find(id) ?? throw new OtaProblemException(404, OtaProblemCodes.NotFound, "id", "no such device");
        if (!DeviceKey.Parse(ProtocolJson.BytesOf(device.PublicKey)).Verify(DeviceSigningInputs.Report(id, signed.Payload), signed.Signature))
            throw new OtaProblemException(400, OtaProblemCodes.BadSignature, "$.signature", "the report's signature does not verify under the device's key");
        VersionReport report;
        try
        {
            report = VersionReport.Parse(signed.Payload);
        }
        catch (DeviceProtocolException e)
        {
            throw new OtaProblemException(400, e.Code, "$.payload" + e.Problem.Path[1..], e.Problem.Message);
        }
        if (report.DeviceId != id) throw new OtaProblemException(400, OtaProblemCodes.InvalidField, "$.payload.deviceId", "the report is about another device");
        var stored = store.TryAppend(new DeviceReport(id, 0, report.Nonce, clock.GetUtcNow(), ProtocolJson.Base64Url(signed.Payload), ProtocolJson.Base64Url(signed.Signature)))
            ?? throw new OtaProblemException(409, OtaProblemCodes.StaleReport, "$.payload.nonce", "this nonce was used before: a replayed report");
        summaries.Remember(stored);
        // What the fleet's filters need from it (last seen, confirmed versions), on the device record.
        devices.RecordSeen(id, new DeviceSighting(stored.ReceivedAt, new AtymSecure.Primitives.EquatableMap<string>(
            report.Containers.Where(c => c.Confirmed is not null).DistinctBy(c => c.Name).Select(c => KeyValuePair.Create(c.Name, c.Confirmed!.Version)))));
        // The rollouts decide on the report now; one that fails here catches up from the store on its next tick.
        foreach (var listener in context.RequestServices.GetServices<IDeviceReportListener>())
        {
            try
            {
                await listener.OnReportStoredAsync(stored, context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                context.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("AtymSecure.OtaServer.Reports").LogError(e, "report listener failed for {Device}", id);
            }
        }
        return DeviceEndpoints.Protocol(new ReportAnswer(report.Nonce).ToJson());
    }

    private static IResult DirectorFile(string id, string name, HttpContext context, DeviceCaller caller, UptaneDirector director)
    {
        caller.Require(context, id);
        var file = director.File(id, name) ?? throw new OtaProblemException(404, OtaProblemCodes.NotFound, "name", $"no director file {Api.Names.Shorten(name)}");
        return Results.Bytes(file, "application/json");
    }
}
