using Npgsql;

namespace AtymSecure.Postgres;

/// <summary>
/// Reads a store's <c>postgres://user[:password]@host[:port]/database</c> form (what <c>atym ota serve --store</c>,
/// <c>atym registry serve --store</c> and their config files' <c>store</c> take) into an Npgsql connection string. The password may instead come from the
/// environment (<c>PGPASSWORD</c>) or a pgpass file, which Npgsql reads, so it need not sit in a config file.
/// </summary>
public static class PostgresConnectionUrl
{
    public static bool IsUrl(string value) =>
        value.StartsWith("postgres://", StringComparison.Ordinal) || value.StartsWith("postgresql://", StringComparison.Ordinal);

    /// <summary>The connection string for <paramref name="url"/>; <see cref="FormatException"/> naming what is wrong.</summary>
    public static string ToConnectionString(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        // Npgsql refuses a NUL in any part with an ArgumentException; a URL has no business holding control characters.
        if (url.Any(char.IsControl)) throw new FormatException($"'{Redact(Printable(url))}' contains a control character");
        if (!IsUrl(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
            throw new FormatException($"'{Redact(url)}' is not a postgres://user@host:port/database URL");
        var database = Unescaped(url, uri.AbsolutePath.TrimStart('/'));
        if (database.Length == 0 || database.Contains('/'))
            throw new FormatException($"'{Redact(url)}' names no database (postgres://user@host:port/database)");
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
            throw new FormatException($"'{Redact(url)}': query parameters are not supported; use an Npgsql connection string for more settings");
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host, Database = database };
        if (!uri.IsDefaultPort && uri.Port > 0) builder.Port = uri.Port;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':');
            builder.Username = Unescaped(url, colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0) builder.Password = Unescaped(url, uri.UserInfo[(colon + 1)..]);
        }
        return builder.ConnectionString;
    }

    /// <summary>A percent-decoded part, refused when it decodes to a control character (<c>%00</c>).</summary>
    private static string Unescaped(string url, string part)
    {
        var text = Uri.UnescapeDataString(part);
        return text.Any(char.IsControl) ? throw new FormatException($"'{Redact(url)}' encodes a control character") : text;
    }

    private static string Printable(string text) => string.Concat(text.Select(c => char.IsControl(c) ? "\\u" + ((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture) : c.ToString()));

    /// <summary><paramref name="url"/> with any password replaced, for messages and logs.</summary>
    public static string Redact(string url)
    {
        var at = url.IndexOf('@');
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (at < 0 || scheme < 0 || at < scheme) return url;
        var userInfo = url[(scheme + 3)..at];
        var colon = userInfo.IndexOf(':');
        return colon < 0 ? url : url[..(scheme + 3)] + userInfo[..colon] + ":***" + url[at..];
    }
}
