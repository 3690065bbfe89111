using System.Net;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaServer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaServer.Tests.Devices;

/// <summary>
/// The 304 shortcut (PollAnswers remembers each device's last inputs and ETag, never its body): a poll naming the
/// remembered ETag is 304 only while the answer would be the same bytes — a new report's nonce, the signed document
/// running short (re-signed) or a restart (nothing remembered) each give what a full build gives.
/// </summary>
public class PollAnswerReuseTests
{
    private static async Task<(string ETag, long TargetsVersion)> ChangedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = PollAnswer.Parse(await response.Content.ReadAsByteArrayAsync());
        return (response.Headers.ETag!.Tag, SignedMetadata<TargetsMetadata>.Parse(answer.DirectorTargets!).Signed.Version);
    }

    private static async Task<TestDevice> ReportedDeviceAsync(OtaTestServer server)
    {
        var device = await new TestDevice(server).ReadyAsync();
        Assert.Equal(HttpStatusCode.OK, (await device.ReportAsync(device.Signed(device.Report(TestDevice.NewNonce())))).StatusCode);
        return device;
    }

    [Fact]
    public async Task A_remembered_ETag_is_304_until_the_signed_document_runs_short_then_the_re_signed_answer_is_200()
    {
        await using var server = await OtaTestServer.StartAsync();
        server.UploadDirectorRoot();
        using var device = await ReportedDeviceAsync(server);
        var (etag, version) = await ChangedAsync(await device.PollAsync());
        Assert.Equal(HttpStatusCode.NotModified, (await device.PollAsync(etag)).StatusCode);

        // Less than ResignWhenLeft (12 h) of the 1 d document is left: the director signs version 2, so the bytes changed.
        server.Clock.Advance(DirectorOptions.Default.TargetsLife - DirectorOptions.Default.ResignWhenLeft + TimeSpan.FromSeconds(1));
        await device.AuthenticateAsync(); // the 1 h session ended meanwhile
        var (resignedETag, resignedVersion) = await ChangedAsync(await device.PollAsync(etag));
        Assert.NotEqual(etag, resignedETag);
        Assert.Equal(version + 1, resignedVersion);
        Assert.Equal(HttpStatusCode.NotModified, (await device.PollAsync(resignedETag)).StatusCode);
    }

    [Fact]
    public async Task A_new_report_changes_the_answer_a_remembered_ETag_named()
    {
        await using var server = await OtaTestServer.StartAsync();
        server.UploadDirectorRoot();
        using var device = await ReportedDeviceAsync(server);
        var (etag, version) = await ChangedAsync(await device.PollAsync());
        Assert.Equal(HttpStatusCode.NotModified, (await device.PollAsync(etag)).StatusCode);
        var nonce = TestDevice.NewNonce();
        Assert.Equal(HttpStatusCode.OK, (await device.ReportAsync(device.Signed(device.Report(nonce)))).StatusCode);
        var changed = await device.PollAsync(etag);
        var (newETag, newVersion) = await ChangedAsync(changed);
        Assert.NotEqual(etag, newETag);
        Assert.Equal(version + 1, newVersion); // the document echoes the new nonce
    }

    [Fact]
    public async Task After_a_restart_nothing_is_remembered_and_an_unchanged_answer_is_still_304()
    {
        await using var server = await OtaTestServer.StartAsync();
        server.UploadDirectorRoot();
        using var device = await ReportedDeviceAsync(server);
        var (etag, _) = await ChangedAsync(await device.PollAsync());
        await server.RestartAsync();
        Assert.Equal(HttpStatusCode.NotModified, (await device.PollAsync(etag)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await device.PollAsync("\"other\"")).StatusCode);
    }
}
