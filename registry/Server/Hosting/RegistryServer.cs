using AtymSecure.Registry.Auth;
using AtymSecure.Registry.Http;
using AtymSecure.Registry.Storage;
using AtymSecure.Registry.Uploads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AtymSecure.Registry.Hosting;

/// <summary>
/// Builds and runs the registry. <c>atym registry serve</c> calls <see cref="RunAsync"/>; tests call
/// <see cref="Build"/> with a hook that swaps in a TestServer (<c>b =&gt; b.WebHost.UseTestServer()</c>)
/// or listen on port 0 and read <see cref="ListeningAddress"/>.
/// </summary>
public static class RegistryServer
{
    /// <summary>Validates <paramref name="options"/> and builds the application (not started).</summary>
    public static WebApplication Build(RegistryOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.EnsureValid();
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        options = options with { DataDirectory = dataDirectory };
        Directory.CreateDirectory(dataDirectory);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = dataDirectory,
            // The default appsettings reload puts an inotify watch on the content root (the data directory):
            // every blob write then cost an lstat+geteuid in the watcher (~23k per 256 MiB pushed, measured).
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.WebHost.UseUrls(options.NormalizedListenUrl()!);
        // Receive into a buffer at once instead of a zero-byte read first: halves recv(2) calls on blob pushes
        // (two per 4 KiB block, measured) at the cost of one 4 KiB buffer per idle connection.
        builder.WebHost.UseSockets(sockets => sockets.WaitForDataBeforeAllocatingBuffer = false);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null; // blobs are streamed to disk; manifests have their own limit
            kestrel.AddServerHeader = false;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        // Opened now, so an unusable object store stops the start (RegistryBlobStores).
        var blobs = RegistryBlobStores.Open(options, dataDirectory);
        services.AddSingleton(blobs);
        services.AddSingleton(_ => MetadataStores.Open(options));
        services.AddSingleton(_ => new ManifestContentCache(options.ManifestCacheBytes));
        services.AddSingleton<UploadService>();
        services.AddSingleton(sp => new Gc.RegistryGarbageCollector(sp.GetRequiredService<IBlobStore>(),
            sp.GetRequiredService<IMetadataStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<UploadService>()));
        if (options.AuthConfigPath is null)
        {
            services.AddSingleton<IRegistryAuthorizer, AllowAllAuthorizer>();
        }
        else
        {
            // Load now, so a broken auth file stops the start with its message instead of failing requests.
            var tokens = TokenService.Create(options, TimeProvider.System);
            var authorizer = new TokenAuthorizer(tokens);
            services.AddSingleton(tokens);
            services.AddSingleton(authorizer);
            services.AddSingleton<IRegistryAuthorizer>(authorizer);
        }
        services.AddSingleton<ITagMoveGuard, UnguardedTagMoves>();
        services.AddSingleton<RegistryServices>();
        services.AddHostedService<UploadExpirySweeper>();
        configure?.Invoke(builder);

        var app = builder.Build();
        // A policy folder with nothing to enforce it would protect nothing while seeming to: refuse to start.
        if (options.PolicyDirectory is not null && app.Services.GetRequiredService<ITagMoveGuard>() is UnguardedTagMoves)
            throw new InvalidOperationException($"policyDirectory {options.PolicyDirectory} is set but this host adds no tag policy guard " +
                "(registry/Policy: RegistryPolicyGuard.Configure, which `atym registry serve` uses)");
        app.UseMiddleware<RegistryErrorMiddleware>();
        if (options.AuthConfigPath is not null)
        {
            var authorizer = app.Services.GetRequiredService<TokenAuthorizer>();
            app.Use(async (context, next) =>
            {
                await authorizer.AuthenticateAsync(context).ConfigureAwait(false);
                await next(context).ConfigureAwait(false);
            });
        }
        var registry = app.Services.GetRequiredService<RegistryServices>();
        string[] methods = ["GET", "HEAD", "PUT", "POST", "PATCH", "DELETE"];
        app.MapMethods("/v2", methods, (HttpContext context) => RegistryDispatcher.HandleAsync(context, registry));
        app.MapMethods("/v2/{**path}", methods, (HttpContext context) => RegistryDispatcher.HandleAsync(context, registry));
        app.MapFallback((HttpContext context) => throw new RegistryException(404, Oci.Wire.ErrorCodes.NameUnknown,
            $"'{RegistryException.Truncate(context.Request.Path.Value, 200)}' is not a registry API path (they start with /v2/)"));
        if (options.AuthConfigPath is not null)
        {
            var tokens = app.Services.GetRequiredService<TokenService>();
            app.MapGet("/token", (HttpContext context) => TokenEndpoint.HandleAsync(context, tokens));
        }
        return app;
    }

    /// <summary>Builds, starts and runs until <paramref name="cancellationToken"/> fires (the CLI's serve verb).</summary>
    public static Task RunAsync(RegistryOptions options, CancellationToken cancellationToken = default) =>
        RunAsync(options, null, cancellationToken);

    /// <summary>As <see cref="RunAsync(RegistryOptions, CancellationToken)"/>, with builder changes (the policy guard).</summary>
    public static async Task RunAsync(RegistryOptions options, Action<WebApplicationBuilder>? configure, CancellationToken cancellationToken = default)
    {
        var app = Build(options, configure);
        await using (app.ConfigureAwait(false))
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The address Kestrel actually listens on (useful with port 0), after <c>StartAsync</c>.</summary>
    public static Uri ListeningAddress(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault() ?? throw new InvalidOperationException("the registry is not listening (not started, or hosted in a TestServer)");
        return new Uri(first);
    }
}
