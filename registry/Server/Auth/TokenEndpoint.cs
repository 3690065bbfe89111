using System.Text;
using System.Text.Json;
using AtymSecure.Oci.Wire;
using AtymSecure.Registry.Http;
using Microsoft.AspNetCore.Http;

namespace AtymSecure.Registry.Auth;

/// <summary>
/// <c>GET /token?service=…&amp;scope=repository:name:pull,push</c> with optional Basic credentials:
/// answers <c>{"token","access_token","expires_in","issued_at"}</c>. Without credentials the anonymous
/// grants apply; wrong credentials are 401. Granted actions may be fewer than requested (never an error).
/// Spec: https://distribution.github.io/distribution/spec/auth/token/#requesting-a-token
/// </summary>
public static class TokenEndpoint
{
    public static async Task HandleAsync(HttpContext context, TokenService tokens)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(tokens);
        var request = context.Request;
        var service = request.Query["service"].ToString();
        if (service.Length > 0 && service != tokens.Config.Service)
            throw new RegistryException(400, ErrorCodes.Unsupported, $"this token service is '{tokens.Config.Service}', not '{RegistryException.Truncate(service, 100)}'");
        AccountConfig? account = null;
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            var (user, password) = DecodeBasic(header[6..].Trim());
            account = user is null ? null : tokens.Authenticate(user, password!);
            if (account is null)
            {
                var error = new RegistryException(401, ErrorCodes.Unauthorized, "unknown user or wrong password");
                error.Headers["WWW-Authenticate"] = $"Basic realm=\"{tokens.Config.Service}\"";
                throw error;
            }
        }
        var access = tokens.Grant(account, request.Query["scope"].Select(s => s ?? ""));
        var token = tokens.Issue(account?.Name ?? "", access, out var issuedAt);
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["token"] = token,
            ["access_token"] = token,
            ["expires_in"] = (int)tokens.Config.TokenLifetime.TotalSeconds,
            ["issued_at"] = issuedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        });
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private static (string? User, string? Password) DecodeBasic(string encoded)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            return colon <= 0 ? (null, null) : (text[..colon], text[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return (null, null);
        }
    }
}
