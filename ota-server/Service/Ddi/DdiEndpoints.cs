using System.Security.Cryptography;
using System.Text;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.Formats.DeviceProtocol.Ddi;
using AtymSecure.OtaContracts;
using AtymSecure.OtaServer.Devices;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace AtymSecure.OtaServer.Ddi;

/// <summary>
/// hawkBit's DDI controller API v1 under <c>/{tenant}/controller/v1/{controllerId}</c> (docs/ddi.md): the base poll
/// (polling sleep, links, ETag), <c>deploymentBase</c> and <c>installedBase</c>, feedback, <c>cancelAction</c> and its
/// feedback, <c>configData</c>, and artifact downloads (GET and HEAD) with <c>Range</c> and <c>.MD5SUM</c>. Every request passes, in
/// order: the tenant (404), the controller id's grammar (404), authentication (401), the device's request budget (429),
/// the target (registered on first poll by a gateway token; 404 for an id that is an atym device or not active). Bodies
/// are read under their message's cap (413) and refused whole when any member is wrong (400): nothing is stored then.
/// </summary>
internal static class DdiEndpoints
{
    private const string SoftwareModulePart = "application";

    public static void Map(IEndpointRouteBuilder app)
    {
        var controller = app.MapGroup("/{tenant}/controller/v1/{controllerId}").WithTags("ddi");
        controller.MapGet("", PollAsync);
        controller.MapGet("/deploymentBase/{actionId}", DeploymentBaseAsync);
        controller.MapPost("/deploymentBase/{actionId}/feedback", DeploymentFeedbackAsync);
        controller.MapGet("/installedBase/{actionId}", InstalledBaseAsync);
        controller.MapGet("/cancelAction/{actionId}", CancelAsync);
        controller.MapPost("/cancelAction/{actionId}/feedback", CancelFeedbackAsync);
        controller.MapPut("/configData", ConfigDataAsync);
        // HEAD answers as GET without the body (Content-Length, ETag, Accept-Ranges, Range's 206/416), as hawkBit's download
        // does; it records nothing, like hawkBit, which logs a download in the action's history for GET only.
        controller.MapMethods("/softwaremodules/{moduleId}/artifacts/{fileName}", [HttpMethods.Get, HttpMethods.Head], ArtifactAsync);
    }

    private sealed record Caller(DdiTarget Target, DeviceRecord Device, string BaseUrl);

    private static Caller Enter(HttpContext context, string tenant, string controllerId)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<OtaServerOptions>().Ddi!;
        if (!string.Equals(tenant, options.Tenant, StringComparison.OrdinalIgnoreCase) || !ProtocolJson.DeviceIdGrammar().IsMatch(controllerId))
            throw new OtaProblemException(404, DdiServerProblemCodes.NotFound, "tenant", "no such tenant or controller");
        var credential = services.GetRequiredService<DdiAuthentication>().Authenticate(context.Request, controllerId);
        services.GetRequiredService<DeviceCaller>().Admit(controllerId);
        var target = services.GetRequiredService<DdiTargetRegistry>().FindOrRegister(controllerId, credential);
        if (target is null || services.GetRequiredService<IDeviceStore>().Find(controllerId) is not { State: DeviceState.Active } device || !DdiTargetRegistry.IsDdiDevice(device))
            throw new OtaProblemException(404, DdiServerProblemCodes.NotFound, "controllerId", "no such controller");
        var origin = services.GetRequiredService<OtaServerOptions>().PublicOrigin is { } configured
            ? OtaServerOptions.NormalizeOrigin(configured)!
            : $"{context.Request.Scheme}://{context.Request.Host}";
        return new Caller(target, device, origin + DdiPaths.Base(tenant, controllerId));
    }

    private static async Task<IResult> PollAsync(string tenant, string controllerId, HttpContext context, DdiActions actions, PollIntervals intervals, CancellationToken ct)
    {
        var caller = Enter(context, tenant, controllerId);
        var current = await actions.CurrentAsync(controllerId, ct).ConfigureAwait(false);
        var installed = actions.Installed(controllerId);
        DdiLink? deployment = null, cancel = null;
        if (current is { State: DdiActionState.Open })
        {
            var (download, update, window) = Handling(actions, current);
            deployment = new DdiLink($"{caller.BaseUrl}/{DdiPaths.DeploymentBase}/{current.Id}?c={CacheKey($"{current.Id}|{download}|{update}|{window}")}");
        }
        else if (current is { State: DdiActionState.Canceling }) cancel = new DdiLink($"{caller.BaseUrl}/{DdiPaths.CancelAction}/{current.Id}");
        var links = new DdiControllerLinks(deployment,
            installed is null ? null : new DdiLink($"{caller.BaseUrl}/{DdiPaths.InstalledBase}/{installed.Id}"),
            caller.Target.AttributesRequested ? new DdiLink($"{caller.BaseUrl}/{DdiPaths.ConfigData}") : null,
            cancel);
        var sleep = TimeSpan.FromSeconds(Math.Min(intervals.SecondsFor(controllerId, caller.Device.Groups), (long)DdiPolling.MaxSleep.TotalSeconds));
        var body = DdiJson.Write(new DdiControllerBase(new DdiConfig(DdiPolling.Of(sleep)),
            links == new DdiControllerLinks() ? null : links));
        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(body))[..32]}\"";
        context.Response.Headers.ETag = etag;
        if (context.Request.Headers.IfNoneMatch.Any(v => v == etag)) return Results.StatusCode(304);
        return Json(context, body);
    }

    private static async Task<IResult> DeploymentBaseAsync(string tenant, string controllerId, string actionId, int? actionHistory, HttpContext context,
        DdiActions actions, IDdiArtifactSource? artifacts, CancellationToken ct)
    {
        var caller = Enter(context, tenant, controllerId);
        var action = actions.Owned(controllerId, actionId);
        if (action.State == DdiActionState.Closed) throw new OtaProblemException(410, DdiServerProblemCodes.ActionClosed, "actionId", "the action is closed");
        var (download, update, window) = Handling(actions, action);
        var deployment = new DdiDeployment(download, update, [await ChunkAsync(caller, action, artifacts, ct).ConfigureAwait(false)], window);
        return Json(context, DdiJson.Write(new DdiDeploymentBase(action.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), deployment, History(action, actionHistory))));
    }

    private static async Task<IResult> InstalledBaseAsync(string tenant, string controllerId, string actionId, int? actionHistory, HttpContext context,
        DdiActions actions, IDdiArtifactSource? artifacts, CancellationToken ct)
    {
        var caller = Enter(context, tenant, controllerId);
        var action = actions.Owned(controllerId, actionId);
        if (action.Outcome != DdiActionOutcome.Success) throw new OtaProblemException(404, DdiServerProblemCodes.NotFound, "actionId", "not an installed action of this controller");
        var deployment = new DdiDeployment(DdiHandlingType.Forced, DdiHandlingType.Forced, [await ChunkAsync(caller, action, artifacts, ct).ConfigureAwait(false)]);
        return Json(context, DdiJson.Write(new DdiDeploymentBase(action.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), deployment, History(action, actionHistory))));
    }

    private static async Task<IResult> DeploymentFeedbackAsync(string tenant, string controllerId, string actionId, HttpContext context, DdiActions actions, CancellationToken ct)
    {
        Enter(context, tenant, controllerId);
        var feedback = await ReadAsync(context, DdiActionFeedback.MaxBytes, b => DdiJson.ReadFeedback(b)).ConfigureAwait(false);
        await actions.DeploymentFeedbackAsync(controllerId, actionId, feedback, ct).ConfigureAwait(false);
        return Results.Ok();
    }

    private static IResult CancelAsync(string tenant, string controllerId, string actionId, HttpContext context, DdiActions actions)
    {
        Enter(context, tenant, controllerId);
        var action = actions.Cancellation(controllerId, actionId);
        var id = action.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Json(context, DdiJson.Write(new DdiCancel(id, new DdiCancelActionToStop(id))));
    }

    private static async Task<IResult> CancelFeedbackAsync(string tenant, string controllerId, string actionId, HttpContext context, DdiActions actions, CancellationToken ct)
    {
        Enter(context, tenant, controllerId);
        var feedback = await ReadAsync(context, DdiActionFeedback.MaxBytes, b => DdiJson.ReadFeedback(b)).ConfigureAwait(false);
        await actions.CancelFeedbackAsync(controllerId, actionId, feedback, ct).ConfigureAwait(false);
        return Results.Ok();
    }

    private static async Task<IResult> ConfigDataAsync(string tenant, string controllerId, HttpContext context, DdiTargetRegistry registry)
    {
        Enter(context, tenant, controllerId);
        var data = await ReadAsync(context, DdiConfigData.MaxBytes, b => DdiJson.ReadConfigData(b)).ConfigureAwait(false);
        registry.ApplyConfigData(controllerId, data);
        return Results.Ok();
    }

    private static async Task<IResult> ArtifactAsync(string tenant, string controllerId, string moduleId, string fileName, HttpContext context,
        DdiActions actions, IDdiArtifactSource? artifacts, CancellationToken ct)
    {
        var caller = Enter(context, tenant, controllerId);
        var action = actions.Owned(controllerId, moduleId);
        var file = artifacts is null ? null : await artifacts.FindAsync(Request(caller, action), ct).ConfigureAwait(false);
        if (file is not null && fileName == file.FileName)
            return file.Open is { } open
                ? await open(ct).ConfigureAwait(false) is { } bytes
                    ? Results.Stream(bytes, "application/octet-stream", enableRangeProcessing: true, entityTag: new EntityTagHeaderValue($"\"{file.Sha256}\""))
                    : throw new OtaProblemException(404, DdiServerProblemCodes.NotFound, "fileName", "the artifact is no longer stored")
                : Results.File(file.Path!, "application/octet-stream", enableRangeProcessing: true, entityTag: new EntityTagHeaderValue($"\"{file.Sha256}\""));
        if (file is not null && fileName == file.FileName + DdiMd5Sum.Suffix)
            return Results.Bytes(DdiMd5Sum.Line(file.Md5, file.FileName), "text/plain; charset=utf-8");
        throw new OtaProblemException(404, DdiServerProblemCodes.NotFound, "fileName", "no such artifact in this software module");
    }

    private static DdiArtifactRequest Request(Caller caller, DdiAction action) =>
        new(caller.Device, action.Container, action.ReleaseId, action.Version, action.DeploymentId);

    private static async Task<DdiChunk> ChunkAsync(Caller caller, DdiAction action, IDdiArtifactSource? artifacts, CancellationToken ct)
    {
        var file = artifacts is null ? null : await artifacts.FindAsync(Request(caller, action), ct).ConfigureAwait(false);
        EquatableList<DdiArtifact> listed = [];
        if (file is not null)
        {
            var href = $"{caller.BaseUrl}/{DdiPaths.SoftwareModules}/{action.Id}/{DdiPaths.Artifacts}/{Uri.EscapeDataString(file.FileName)}";
            listed = [new DdiArtifact(file.FileName, new DdiArtifactHash(file.Sha1, file.Md5, file.Sha256), file.Length,
                new DdiArtifactLinks(new DdiLink(href), new DdiLink(href), new DdiLink(href + DdiMd5Sum.Suffix), new DdiLink(href + DdiMd5Sum.Suffix)))];
        }
        return new DdiChunk(SoftwareModulePart, action.Version, action.Container, Artifacts: listed);
    }

    /// <summary>download / update / maintenanceWindow: forced deployments force both; a closed window skips the update.</summary>
    private static (DdiHandlingType Download, DdiHandlingType Update, DdiMaintenanceWindow? Window) Handling(DdiActions actions, DdiAction action)
    {
        var (forced, window, open) = actions.HandlingOf(action);
        var download = forced ? DdiHandlingType.Forced : DdiHandlingType.Attempt;
        if (window is null) return (download, download, null);
        return (download, open ? download : DdiHandlingType.Skip, open ? DdiMaintenanceWindow.Available : DdiMaintenanceWindow.Unavailable);
    }

    private static DdiActionHistory? History(DdiAction action, int? count) => count is null or 0 ? null : new DdiActionHistory(
        action.State switch { DdiActionState.Open => "RUNNING", DdiActionState.Canceling => "CANCELING", _ => "FINISHED" },
        new EquatableList<string>(count < 0 ? action.Messages : action.Messages.Take(count.Value)));

    private static async Task<T> ReadAsync<T>(HttpContext context, int maxBytes, Func<byte[], T> read)
    {
        var bytes = await RequestBody.ReadJsonAsync(context.Request, maxBytes).ConfigureAwait(false);
        try
        {
            return read(bytes);
        }
        catch (DdiMessageException e)
        {
            throw new OtaProblemException(e.IsTooLarge ? 413 : 400, e);
        }
    }

    /// <summary>hawkBit's cache-busting <c>c</c>: a signed 32-bit hash of what the device must notice when it changes.</summary>
    private static int CacheKey(string text) => BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0);

    private static IResult Json(HttpContext context, byte[] body)
    {
        var hal = context.Request.Headers.Accept.Any(a => a?.Contains("application/hal+json", StringComparison.OrdinalIgnoreCase) == true);
        return Results.Bytes(body, hal ? "application/hal+json" : "application/json");
    }
}
