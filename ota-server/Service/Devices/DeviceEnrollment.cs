using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaContracts;
using AtymSecure.OtaServer.Api;
using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaServer.Devices;

/// <summary>
/// Enrolment (issue 12 §2): the request's signature proves the key; a known id with the same key is idempotent, with
/// another key refused (409), decommissioned gone (410). A new device is active with a valid enrolment token (one use
/// taken atomically) or a preauthorized key, else pending until an operator approves it. A new id must be the one
/// derived from its key, so nobody picks another device's id.
/// </summary>
public sealed class DeviceEnrollment(
    IDeviceStore devices, IEnrollmentTokenStore enrollmentTokens, IPreauthorizedKeyStore preauthorized, DeviceStates states,
    OperatorAudit audit, OtaServerOptions options, TimeProvider clock)
{
    public (int Status, EnrollmentAnswer Answer) Enroll(EnrollmentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        DeviceKey key;
        try
        {
            key = DeviceKey.Parse(request.PublicKey);
        }
        catch (InvalidPublicKeyException e)
        {
            throw new OtaProblemException(400, OtaProblemCodes.InvalidField, "$.publicKey", e.Message);
        }
        if (!key.Verify(request.SignedBytes(), request.Signature))
            throw new OtaProblemException(400, OtaProblemCodes.BadSignature, "$.signature", "the signature does not verify under publicKey");
        if (devices.Find(request.DeviceId) is { } existing) return Existing(existing, key);
        if (key.DerivedDeviceId != request.DeviceId)
            throw new OtaProblemException(400, OtaProblemCodes.DeviceKeyMismatch, "$.deviceId", $"a new device's id is the one its key gives ({key.DerivedDeviceId})");

        var (state, groups, via) = Admission(request, key);
        var now = clock.GetUtcNow();
        var device = new DeviceRecord(request.DeviceId, ProtocolJson.Base64Url(key.Spki), key.Fingerprint, request.DeviceClass, request.FlashProfile,
            [.. request.PartitionTable.Select(p => new DevicePartition(p.Container, p.SlotBytes))], request.RuntimeVersion, state, 1, [.. groups], AtymSecure.Primitives.EquatableMap<string>.Empty, now, now, 0);
        if (!devices.TryAdd(device)) return Existing(devices.Find(request.DeviceId)!, key); // enrolled concurrently
        var stored = devices.Find(device.Id)!;
        states.Remember(stored);
        audit.RecordSystem($"device:{device.Id}", "device.enroll", $"device/{device.Id}", null, new { view = DeviceView.Of(stored), via });
        return (state == DeviceState.Active ? 201 : 202, Answer(stored));
    }

    private (int, EnrollmentAnswer) Existing(DeviceRecord existing, DeviceKey key)
    {
        if (existing.State == DeviceState.Decommissioned)
            throw new OtaProblemException(410, OtaProblemCodes.DeviceDecommissioned, "$.deviceId", "this device was decommissioned");
        if (existing.KeyFingerprint != key.Fingerprint)
            throw new OtaProblemException(409, OtaProblemCodes.DeviceKeyMismatch, "$.publicKey", "this device id is enrolled with another key (rotate it with a request signed by the old key)");
        return (existing.State == DeviceState.Active ? 200 : 202, Answer(existing));
    }

    private (DeviceState State, IReadOnlyList<string> Groups, string Via) Admission(EnrollmentRequest request, DeviceKey key)
    {
        if (request.EnrollmentToken is { } text)
        {
            if (!OperatorTokenText.TryParse(text, OperatorTokenText.EnrollmentPrefix, out var id, out var secret)
                || enrollmentTokens.Find(id) is not { } token || !OperatorTokenText.Matches(secret, token.SecretSha256))
                throw new OtaProblemException(401, OtaProblemCodes.Unauthenticated, "$.enrollmentToken", "unknown enrolment token");
            if (token.RevokedAt is not null) throw new OtaProblemException(401, OtaProblemCodes.TokenRevoked, "$.enrollmentToken", "the enrolment token is revoked");
            if (token.ExpiresAt is { } expires && expires <= clock.GetUtcNow())
                throw new OtaProblemException(401, OtaProblemCodes.TokenExpired, "$.enrollmentToken", "the enrolment token expired");
            if (!enrollmentTokens.TryConsume(id, clock.GetUtcNow()))
                throw new OtaProblemException(401, OtaProblemCodes.EnrollmentTokenExhausted, "$.enrollmentToken", "the enrolment token has no uses left");
            return (DeviceState.Active, token.Groups, $"enrollment-token/{id}");
        }
        if (preauthorized.Find(key.Fingerprint) is { } allowed) return (DeviceState.Active, allowed.Groups, $"preauthorized-key/{key.Fingerprint}");
        return (DeviceState.Pending, [], "pending");
    }

    private EnrollmentAnswer Answer(DeviceRecord device) => new(device.Id,
        device.State == DeviceState.Active ? EnrollmentStatus.Enrolled : EnrollmentStatus.Pending,
        device.State == DeviceState.Active ? 0 : (long)options.PendingRetry.TotalSeconds);
}
