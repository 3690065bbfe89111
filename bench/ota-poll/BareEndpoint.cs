using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AtymSecure.Bench.OtaPoll;

/// <summary>
/// The peer: bare Kestrel (no routing, authentication, logging or metrics) answering every request with the bytes
/// one device's real poll answer has — 304 with the same ETag and Cache-Control when <c>If-None-Match</c> is sent,
/// else 200 with the same JSON body. What this machine's HTTP stack does with nothing in the way.
/// </summary>
internal static class BareEndpoint
{
    public const string Mode = "serve-bare";

    public static string[] ChildArgs(int port, string bodyFile, string etag) => [Mode, port.ToString(CultureInfo.InvariantCulture), bodyFile, etag];

    public static async Task RunAsync(string[] args)
    {
        var port = int.Parse(args[1], CultureInfo.InvariantCulture);
        var body = await File.ReadAllBytesAsync(args[2]);
        var etag = args[3];
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture));
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(context =>
        {
            context.Response.Headers.ETag = etag;
            context.Response.Headers.CacheControl = "no-cache";
            if (context.Request.Headers.IfNoneMatch.Count > 0)
            {
                context.Response.StatusCode = 304;
                return Task.CompletedTask;
            }
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = body.Length;
            return context.Response.Body.WriteAsync(body).AsTask();
        });
        await app.RunAsync();
    }
}
