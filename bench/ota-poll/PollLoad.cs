using System.Net;
using System.Net.Http.Headers;
using AtymSecure.Bench.Http;
using AtymSecure.Formats.DeviceProtocol;

namespace AtymSecure.Bench.OtaPoll;

/// <summary>A device ready to poll: id, session token, and the ETag of its current answer (what it sends in If-None-Match).</summary>
internal sealed record PollingDevice(string Id, string SessionToken, string ETag);

/// <summary>
/// The poll load: a warm-up pass in which every device polls once without an ETag (the server signs its director
/// targets then, and fills its in-memory device state), checks that the answers are what a device expects, and the
/// wrk Lua script that rotates through every device's credentials — each request another device's path and
/// session, with its ETag on the 304 path and without on the changed path.
/// </summary>
internal static class PollLoad
{
    /// <summary>wrk script: args[1] the credentials file (<c>ID TOKEN ETAG</c> lines), args[2] <c>304</c> or <c>200</c>.
    /// Requests are formatted once in <c>init</c>, so the generator does no per-request string work.</summary>
    public const string Script = """
        local requests = {}
        local i = 0
        init = function(args)
          local conditional = args[2] == "304"
          for line in io.lines(args[1]) do
            local id, token, etag = line:match("^(%S+) (%S+) (%S+)$")
            local headers = { ["Authorization"] = "Bearer " .. token }
            if conditional then headers["If-None-Match"] = etag end
            requests[#requests + 1] = wrk.format("GET", "/api/v1/devices/" .. id .. "/poll", headers)
          end
        end
        request = function()
          i = i % #requests + 1
          return requests[i]
        end
        """;

    public static async Task<(IReadOnlyList<PollingDevice> Devices, byte[] SampleBody)> WarmUpAsync(int port, IReadOnlyList<SeededDevice> seeded, int parallel)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        var polled = new PollingDevice[seeded.Count];
        byte[]? sample = null;
        await Parallel.ForEachAsync(Enumerable.Range(0, seeded.Count), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, ct) =>
        {
            var device = seeded[i];
            using var request = Poll(device.Id, device.SessionToken, null);
            using var response = await client.SendAsync(request, ct);
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            if (response.StatusCode != HttpStatusCode.OK)
                throw new InvalidOperationException($"warm-up poll of {device.Id}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
            if (PollAnswer.Parse(body).DirectorTargets is null) throw new InvalidOperationException($"poll answer of {device.Id} carries no director targets");
            polled[i] = new PollingDevice(device.Id, device.SessionToken, response.Headers.ETag?.Tag ?? throw new InvalidOperationException("no ETag"));
            if (i == 0) sample = body;
        });
        return (polled, sample!);
    }

    /// <summary>A sample of devices answers 304 with their ETag and 401 with a session MAC'd by another key.</summary>
    public static async Task CheckAsync(int port, IReadOnlyList<PollingDevice> devices)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        foreach (var device in devices.Take(50))
        {
            using var request = Poll(device.Id, device.SessionToken, device.ETag);
            using var response = await client.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.NotModified) throw new InvalidOperationException($"{device.Id} with its ETag: {(int)response.StatusCode}, expected 304");
        }
        var forged = devices[0].SessionToken[..^4] + (devices[0].SessionToken.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        using (var request = Poll(devices[0].Id, forged, devices[0].ETag))
        using (var response = await client.SendAsync(request))
            if (response.StatusCode != HttpStatusCode.Unauthorized) throw new InvalidOperationException($"a forged session: {(int)response.StatusCode}, expected 401");
    }

    public static void WriteCredentials(string path, IReadOnlyList<PollingDevice> devices) =>
        File.WriteAllLines(path, devices.Select(d => $"{d.Id} {d.SessionToken} {d.ETag}"));

    private static HttpRequestMessage Poll(string id, string token, string? etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, DeviceProtocolPaths.Poll(id));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (etag is not null) request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Parse(etag));
        return request;
    }
}
