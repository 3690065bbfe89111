using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaContracts;
using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Devices;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.OtaServer.Http;
using AtymSecure.OtaStore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AtymSecure.OtaServer.Endpoints;

/// <summary>
/// The device API before and around the session (docs/device-protocol.md): enrolment, challenge, session, key rotation.
/// Bodies are read under each message's cap and parsed by its strict reader; answers are the protocol's canonical JSON.
/// </summary>
internal static class DeviceEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var devices = app.MapGroup("/api/v1/devices").WithTags("device protocol");
        devices.MapPost("/enroll", EnrollAsync).Accepts<object>(DeviceProtocolPaths.MediaType).Produces(201).Produces(200).Produces(202);
        devices.MapPost("/{id}/challenge", Challenge).Produces(200);
        devices.MapPost("/{id}/session", SessionAsync).Accepts<object>(DeviceProtocolPaths.MediaType).Produces(200);
        devices.MapPost("/{id}/key", RotateKeyAsync).RequireAuthorization(OtaPolicies.Device).Accepts<object>(DeviceProtocolPaths.MediaType).Produces(204);
    }

    public static IResult Protocol(byte[] json, int status = 200) => new ProtocolResult(json, status);

    private static async Task<IResult> EnrollAsync(HttpContext context, DeviceEnrollment enrollment, DeviceStates states, DeviceCaller caller)
    {
        var request = EnrollmentRequest.Parse(await RequestBody.ReadJsonAsync(context.Request, EnrollmentRequest.MaxBytes).ConfigureAwait(false));
        if (states.Get(request.DeviceId) is not null) caller.Admit(request.DeviceId);
        var (status, answer) = enrollment.Enroll(request);
        return Protocol(answer.ToJson(), status);
    }

    private static IResult Challenge(string id, DeviceStates states, DeviceCaller caller, ChallengeBook challenges, OtaServerOptions options)
    {
        RequireActive(states, id);
        caller.Admit(id);
        var (challenge, expires) = challenges.Issue(id, options.ChallengeLifetime);
        return Protocol(new ChallengeAnswer(challenge, expires.ToUnixTimeSeconds()).ToJson());
    }

    private static async Task<IResult> SessionAsync(string id, HttpContext context, DeviceStates states, DeviceCaller caller, ChallengeBook challenges,
        IDeviceStore devices, DeviceOrigin origin, DeviceSessionTokens tokens, OtaServerOptions options, TimeProvider clock)
    {
        RequireActive(states, id);
        caller.Admit(id);
        var request = SessionRequest.Parse(await RequestBody.ReadJsonAsync(context.Request, SessionRequest.MaxBytes).ConfigureAwait(false));
        if (!challenges.TryTake(id, request.Challenge))
            throw new OtaProblemException(401, OtaProblemCodes.ChallengeInvalid, "$.challenge", "unknown, expired or already used challenge: fetch a new one");
        var device = devices.Find(id) ?? throw new OtaProblemException(404, OtaProblemCodes.NotFound, "id", "no such device");
        // A hawkBit DDI target has no device key: it polls /{tenant}/controller/v1/{id} with its token instead.
        if (device.PublicKey.Length == 0) throw new OtaProblemException(401, OtaProblemCodes.BadSignature, "$.signature", "this device has no device key (a DDI target)");
        var key = DeviceKey.Parse(ProtocolJson.BytesOf(device.PublicKey));
        if (!origin.Accepted.Any(o => key.Verify(DeviceSigningInputs.Challenge(request.Challenge, id, o), request.Signature)))
            throw new OtaProblemException(401, OtaProblemCodes.BadSignature, "$.signature", "the signature does not verify for this device, challenge and server origin");
        RequireActive(states, id);
        var expires = clock.GetUtcNow() + options.SessionLifetime;
        var token = tokens.Issue(new DeviceSession(id, device.KeyFingerprint, expires.ToUnixTimeSeconds(), device.Epoch));
        return Protocol(new SessionAnswer(token, expires.ToUnixTimeSeconds()).ToJson());
    }

    private static async Task<IResult> RotateKeyAsync(string id, HttpContext context, DeviceCaller caller, DeviceLifecycle lifecycle, IDeviceStore devices, OperatorAudit audit)
    {
        caller.Require(context, id);
        var request = KeyRotationRequest.Parse(await RequestBody.ReadJsonAsync(context.Request, KeyRotationRequest.MaxBytes).ConfigureAwait(false));
        DeviceKey next;
        try
        {
            next = DeviceKey.Parse(request.NewPublicKey);
        }
        catch (InvalidPublicKeyException e)
        {
            throw new OtaProblemException(400, OtaProblemCodes.InvalidField, "$.newPublicKey", e.Message);
        }
        var (before, after) = lifecycle.Update(id, device =>
        {
            var old = ProtocolJson.BytesOf(device.PublicKey);
            var input = DeviceSigningInputs.KeyRotation(id, old, next.Spki);
            if (!DeviceKey.Parse(old).Verify(input, request.OldKeySignature))
                throw new OtaProblemException(400, OtaProblemCodes.BadSignature, "$.oldKeySignature", "does not verify under the device's current key");
            if (!next.Verify(input, request.NewKeySignature))
                throw new OtaProblemException(400, OtaProblemCodes.BadSignature, "$.newKeySignature", "does not verify under newPublicKey");
            if (next.Fingerprint == device.KeyFingerprint) throw new OtaProblemException(409, OtaProblemCodes.Conflict, "$.newPublicKey", "that is the current key");
            if (next.DerivedDeviceId != id && devices.Find(next.DerivedDeviceId) is not null)
                throw new OtaProblemException(409, OtaProblemCodes.DeviceKeyMismatch, "$.newPublicKey", "that key belongs to another device");
            return device with { PublicKey = ProtocolJson.Base64Url(next.Spki), KeyFingerprint = next.Fingerprint, Epoch = device.Epoch + 1 };
        });
        audit.RecordSystem($"device:{id}", "device.rotate-key", $"device/{id}", new { before.KeyFingerprint, before.Epoch }, new { after.KeyFingerprint, after.Epoch });
        return Results.NoContent();
    }

    /// <summary>Unknown → 404, pending → 403 device-not-approved, decommissioned → 410.</summary>
    private static void RequireActive(DeviceStates states, string id)
    {
        switch (states.Get(id)?.State)
        {
            case DeviceState.Active: return;
            case DeviceState.Pending: throw new OtaProblemException(403, OtaProblemCodes.DeviceNotApproved, "id", "the device waits for an operator's approval");
            case DeviceState.Decommissioned: throw new OtaProblemException(410, OtaProblemCodes.DeviceDecommissioned, "id", "the device was decommissioned");
            default: throw new OtaProblemException(404, OtaProblemCodes.NotFound, "id", "no such device");
        }
    }

    /// <summary>A protocol message's canonical bytes with their status.</summary>
    private sealed class ProtocolResult(byte[] body, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = DeviceProtocolPaths.MediaType;
            return httpContext.Response.Body.WriteAsync(body).AsTask();
        }
    }
}
