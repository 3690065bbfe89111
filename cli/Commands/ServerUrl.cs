using System.CommandLine;

namespace AtymSecure.Cli.Commands;

/// <summary>
/// The OTA server URL of the verbs that reach a server as a device (<c>atym device run --server</c>, <c>atym fleet
/// simulate --server</c>): a string option, not <c>Option&lt;Uri&gt;</c> (System.CommandLine has no Uri parser, so every
/// URL failed to parse), checked by one validator so a bad URL is refused in the same words before anything starts.
/// </summary>
internal static class ServerUrl
{
    /// <summary>An absolute http(s) URL, or null.</summary>
    public static Uri? Parse(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url : null;

    /// <summary>Refuses, at parse time, a value of <paramref name="option"/> that <see cref="Parse"/> does not take.</summary>
    public static void Validate(Command command, Option<string?> option)
    {
        command.Validators.Add(r =>
        {
            if (r.GetValue(option) is { } text && Parse(text) is null)
                r.AddError($"{option.Name} '{text}' is not an absolute http:// or https:// URL");
        });
    }
}
