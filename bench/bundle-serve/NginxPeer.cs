using System.Globalization;
using AtymSecure.Bench.Http;

namespace AtymSecure.Bench.BundleServe;

/// <summary>
/// Debian's nginx as the peer: one process (no daemon, no master, one worker's work in the one process we pin and
/// measure), a generated config in the bench's work folder (temp paths there too, so no root-owned folder is touched),
/// serving the same bundle file under the same path, with what nginx does by default for static files (sendfile,
/// ETag, an access log line per request, as our server logs one) plus the same Cache-Control our endpoint sends.
/// </summary>
internal static class NginxPeer
{
    public static void EnsureInstalled()
    {
        if (!File.Exists("/usr/sbin/nginx")) throw new InvalidOperationException("nginx is not installed (apt-get install nginx-light)");
    }

    public static Task<ChildServer> StartAsync(string work, string bundle, string hex)
    {
        var root = Path.Combine(work, "nginx-root");
        var folder = Directory.CreateDirectory(Path.Combine(root, "bundles", "sha256")).FullName;
        File.Copy(bundle, Path.Combine(folder, hex));
        var temp = Directory.CreateDirectory(Path.Combine(work, "nginx-temp")).FullName;
        var port = Machine.FreePort();
        var config = Path.Combine(work, "nginx.conf");
        File.WriteAllText(config, string.Create(CultureInfo.InvariantCulture, $$"""
            daemon off;
            master_process off;
            worker_processes 1;
            pid {{work}}/nginx.pid;
            error_log {{work}}/nginx-error.log warn;
            events { worker_connections 4096; }
            http {
              access_log {{work}}/nginx-access.log;
              client_body_temp_path {{temp}}/body;
              proxy_temp_path {{temp}}/proxy;
              fastcgi_temp_path {{temp}}/fastcgi;
              uwsgi_temp_path {{temp}}/uwsgi;
              scgi_temp_path {{temp}}/scgi;
              sendfile on;
              tcp_nopush on;
              keepalive_requests 100000;
              default_type application/octet-stream;
              server {
                listen 127.0.0.1:{{port}};
                root {{root}};
                location /bundles/sha256/ { add_header Cache-Control "public, max-age=31536000, immutable"; }
              }
            }
            """));
        return ChildServer.StartAsync("/usr/sbin/nginx", ["-c", config, "-p", work, "-e", Path.Combine(work, "nginx-error.log")],
            Machine.ServerCore, port, Path.Combine(work, "nginx.log"), TimeSpan.FromSeconds(30));
    }
}
