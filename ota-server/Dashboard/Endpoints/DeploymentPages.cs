using System.Text.Json;
using AtymSecure.OtaContracts;
using AtymSecure.OtaDashboard.Auth;
using AtymSecure.OtaDashboard.Live;
using AtymSecure.OtaDashboard.Pages;
using AtymSecure.OtaRollouts.Endpoints;
using AtymSecure.OtaRollouts.Engine;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace AtymSecure.OtaDashboard.Endpoints;

/// <summary>
/// Deployments in the dashboard, through the same <see cref="RolloutService"/> calls as the API (same validation, same
/// scope and state checks, same audit entries): <c>GET /ui/deployments</c> (list and the new-deployment form),
/// <c>POST /ui/deployments</c> (deployer), <c>GET /ui/deployments/{id}</c> (the rollout page), <c>…/series</c> (its
/// totals over time, JSON), <c>…/events</c> (server-sent events, one per change), <c>POST …/{action}</c> (deployer:
/// approve, pause, resume, cancel, rollback).
/// </summary>
internal static class DeploymentPages
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/deployments", ListAsync);
        pages.MapPost("/deployments", CreateAsync).AddEndpointFilter(DashboardFilters.CheckedForm);
        pages.MapGet("/deployments/{id}", Get);
        pages.MapGet("/deployments/{id}/series", Series);
        pages.MapGet("/deployments/{id}/events", EventsAsync);
        // One route per action (the slim host registers no regex route constraint).
        foreach (var action in RolloutUpdate.AllActions)
            pages.MapPost($"/deployments/{{id}}/{action}", (HttpContext c, string id, RolloutService r) => ActAsync(c, id, action, r)).AddEndpointFilter(DashboardFilters.CheckedForm);
    }

    private static Task<IResult> ListAsync(HttpContext context, RolloutService rollouts, IReleaseStore releases) =>
        RenderListAsync(context, rollouts, releases, DeploymentForm.Empty, [], StatusCodes.Status200OK);

    private static async Task<IResult> RenderListAsync(HttpContext context, RolloutService rollouts, IReleaseStore releases, DeploymentForm form,
        IReadOnlyList<Problem> problems, int status)
    {
        var op = DashboardSession.Operator(context);
        var visible = rollouts.List().Where(s => !op.IsScoped || op.Covers(s.Spec.Target.Groups)).Reverse().Select(s => DeploymentView.Of(s, withDevices: false)).ToList();
        var all = await releases.ListAsync(null, context.RequestAborted).ConfigureAwait(false);
        return Page.Render<DeploymentsPage>(context, new DeploymentsModel(visible, [.. all.OrderBy(r => r.Container, StringComparer.Ordinal).ThenBy(r => r.ImportedAt)], form, problems), status);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, RolloutService rollouts, IReleaseStore releases)
    {
        var op = DashboardFilters.Deployer(context);
        var form = DeploymentForm.Read(await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false));
        try
        {
            var created = await rollouts.CreateAsync(form.ToRequest(), op, context.RequestAborted).ConfigureAwait(false);
            return Results.Redirect($"{OtaDashboardServices.Prefix}/deployments/{created.Id}");
        }
        catch (OtaProblemException e)
        {
            return await RenderListAsync(context, rollouts, releases, form, e.Problems, e.Status).ConfigureAwait(false);
        }
        catch (ProblemException e)
        {
            return await RenderListAsync(context, rollouts, releases, form, e.Problems, StatusCodes.Status400BadRequest).ConfigureAwait(false);
        }
    }

    private static IResult Get(HttpContext context, string id, RolloutService rollouts, RolloutHistory history)
    {
        var state = Visible(context, rollouts, id);
        return Page.Render<RolloutPage>(context, new RolloutModel(DeploymentView.Of(state, withDevices: true), history.Current(state)));
    }

    private static IResult Series(HttpContext context, string id, RolloutService rollouts, RolloutHistory history)
    {
        var state = Visible(context, rollouts, id);
        return Results.Json(new { current = history.Current(state), samples = history.Samples(id) }, Json);
    }

    /// <summary>The current state first, then one <c>deployment</c> event per change, until the page goes or the server stops.</summary>
    private static async Task EventsAsync(HttpContext context, string id, RolloutService rollouts, RolloutHistory history, IHostApplicationLifetime lifetime)
    {
        var state = Visible(context, rollouts, id);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-store";
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
        using var watch = history.Watch(id); // subscribed before the first state is read: no change falls in between
        try
        {
            await WriteAsync(context, history.Current(rollouts.Find(id) ?? state), stop.Token).ConfigureAwait(false);
            await foreach (var update in watch.Updates.ReadAllAsync(stop.Token).ConfigureAwait(false)) await WriteAsync(context, update, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the page went away or the server stops
        }
    }

    private static async Task WriteAsync(HttpContext context, RolloutUpdate update, CancellationToken ct)
    {
        await context.Response.WriteAsync($"event: deployment\ndata: {JsonSerializer.Serialize(update, Json)}\n\n", ct).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
    }

    private static async Task<IResult> ActAsync(HttpContext context, string id, string action, RolloutService rollouts)
    {
        var op = DashboardFilters.Deployer(context);
        _ = Visible(context, rollouts, id);
        var ct = context.RequestAborted;
        var shown = action switch
        {
            "approve" => await rollouts.ApproveAsync(id, op, ct).ConfigureAwait(false),
            "pause" => await rollouts.PauseAsync(id, op, ct).ConfigureAwait(false),
            "resume" => await rollouts.ResumeAsync(id, op, ct).ConfigureAwait(false),
            "cancel" => await rollouts.CancelAsync(id, op, ct).ConfigureAwait(false),
            _ => await rollouts.RollbackAsync(id, null, op, ct).ConfigureAwait(false),
        };
        return Results.Redirect($"{OtaDashboardServices.Prefix}/deployments/{shown.Id}");
    }

    private static DeploymentState Visible(HttpContext context, RolloutService rollouts, string id)
    {
        var op = DashboardSession.Operator(context);
        var state = rollouts.Find(id);
        return state is not null && (!op.IsScoped || op.Covers(state.Spec.Target.Groups)) ? state
            : throw new OtaProblemException(404, RolloutProblemCodes.DeploymentNotFound, "id", $"no deployment '{(id.Length > 64 ? id[..64] : id)}'");
    }
}
