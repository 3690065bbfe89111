using System.CommandLine;
using System.Text.Json;
using AtymSecure.Cli.Commands;

namespace AtymSecure.Cli.Ota;

/// <summary>
/// <c>atym ota release REF</c> and <c>atym ota assign RELEASE --device ID</c>: thin over <c>POST /api/v1/releases</c>
/// (then following the job at <c>/api/v1/jobs/{id}</c> until it finishes) and <c>POST /api/v1/assignments</c>.
/// </summary>
internal static class ReleaseVerbs
{
    public static Command Release()
    {
        var reference = new Argument<string>("reference") { Description = "host/repository:tag or host/repository@sha256:… in the server's registry" };
        var security = new Option<bool>("--security") { Description = "A security fix: raise the container's counter above every earlier release" };
        var counter = new Option<ulong?>("--security-counter") { Description = "An explicit counter (not below the previous release's)" };
        var classes = new Option<string[]>("--device-class") { Description = "Compile for these classes instead of the fleet's (repeatable)" };
        var noWait = new Option<bool>("--no-wait") { Description = "Print the job id and return at once" };
        var timeout = new Option<TimeSpan>("--timeout") { Description = "How long to follow the import", DefaultValueFactory = _ => TimeSpan.FromMinutes(15) };
        var command = new Command("release", "Import a container version as a release (verify, compile per class, sign, record)")
        {
            reference, security, counter, classes, noWait, timeout,
        };
        OtaOptions.Add(command);
        command.SetAction(async (result, ct) =>
        {
            using var client = OtaOptions.Client(result);
            var job = await client.SendAsync(HttpMethod.Post, "api/v1/releases", new
            {
                reference = result.GetValue(reference),
                security = result.GetValue(security),
                securityCounter = result.GetValue(counter),
                deviceClasses = result.GetValue(classes) is { Length: > 0 } c ? c : null,
            }, ct).ConfigureAwait(false);
            var id = job.GetProperty("id").GetString()!;
            if (result.GetValue(noWait))
            {
                Console.Out.WriteLine(result.GetValue(CommonOptions.Json) ? job.GetRawText() : id);
                return 0;
            }
            Console.Error.WriteLine($"atym ota: import queued as {id}");
            job = await client.FollowJobAsync(id, result.GetValue(timeout), TimeSpan.FromMilliseconds(500), line => Console.Error.WriteLine("  " + line), ct)
                .ConfigureAwait(false);
            if (job.GetProperty("state").GetString() == "failed")
            {
                Console.Error.WriteLine($"atym ota: release failed: {OtaApiClient.JobError(job)}");
                return 1;
            }
            var release = await client.SendAsync(HttpMethod.Get, $"api/v1/releases/{job.GetProperty("resultId").GetString()}", null, ct).ConfigureAwait(false);
            if (result.GetValue(CommonOptions.Json)) Console.Out.WriteLine(release.GetRawText());
            else PrintRelease(release);
            return 0;
        });
        return command;
    }

    public static Command Assign()
    {
        var release = new Argument<string>("release") { Description = "Release id (rel-…)" };
        var device = new Option<string>("--device") { Description = "Device id", Required = true };
        var command = new Command("assign", "Assign a release to a device (it installs it at its next poll)") { release, device };
        OtaOptions.Add(command);
        command.SetAction(async (result, ct) =>
        {
            using var client = OtaOptions.Client(result);
            var assignment = await client.SendAsync(HttpMethod.Post, "api/v1/assignments",
                new { releaseId = result.GetValue(release), deviceId = result.GetValue(device) }, ct).ConfigureAwait(false);
            Console.Out.WriteLine(result.GetValue(CommonOptions.Json) ? assignment.GetRawText()
                : $"assigned {assignment.GetProperty("releaseId").GetString()} ({assignment.GetProperty("container").GetString()}) to {assignment.GetProperty("deviceId").GetString()}");
            return 0;
        });
        return command;
    }

    private static void PrintRelease(JsonElement release)
    {
        Console.Out.WriteLine(release.GetProperty("id").GetString());
        Console.Error.WriteLine($"  {release.GetProperty("container").GetString()} {release.GetProperty("version").GetString()}, " +
            $"security counter {release.GetProperty("securityCounter").GetUInt64()}, manifest {release.GetProperty("manifestDigest").GetString()}");
        foreach (var image in release.GetProperty("images").EnumerateArray())
            Console.Error.WriteLine($"  {image.GetProperty("deviceClass").GetString()}: {image.GetProperty("codeKind").GetString()} image {image.GetProperty("imageDigest").GetString()} ({image.GetProperty("imageLength").GetUInt64()} bytes)");
        foreach (var failure in release.GetProperty("failures").EnumerateArray())
            Console.Error.WriteLine($"  {failure.GetProperty("deviceClass").GetString()}: FAILED {failure.GetProperty("code").GetString()}: {failure.GetProperty("message").GetString()}");
    }
}
