namespace AtymSecure.Formats.DeviceProtocol;

/// <summary>Where an enrolled device stands: it may authenticate, it waits for an operator, or it is out of service.</summary>
public enum EnrollmentStatus
{
    /// <summary>Accepted (enrolment token, preauthorized key, or an operator's approval): the device may authenticate.</summary>
    Enrolled,

    /// <summary>Known but not approved yet: the device retries enrolment after <see cref="EnrollmentAnswer.RetryAfterSeconds"/>.</summary>
    Pending,
}

/// <summary>The server's answer to <see cref="EnrollmentRequest"/>: 201 (new, enrolled), 200 (already enrolled with this key), 202 (pending).</summary>
public sealed record EnrollmentAnswer(string DeviceId, EnrollmentStatus Status, long RetryAfterSeconds)
{
    public const int FormatVersion = 1;
    public const int MaxBytes = 4 * 1024;

    public byte[] ToJson() => ProtocolJson.Write(FormatVersion,
        ("deviceId", DeviceId), ("status", StatusName(Status)), ("retryAfterSeconds", RetryAfterSeconds));

    /// <exception cref="DeviceProtocolException">Not an enrolment answer of format 1.</exception>
    public static EnrollmentAnswer Parse(ReadOnlySpan<byte> json) => ProtocolJson.Read(json, MaxBytes, FormatVersion,
        ["deviceId", "status", "retryAfterSeconds"], f =>
        {
            var status = f.String("status", 16) switch
            {
                "enrolled" => EnrollmentStatus.Enrolled,
                "pending" => EnrollmentStatus.Pending,
                var other => throw new DeviceProtocolException(DeviceProtocolCodes.MessageMalformed, f.PathOf("status"), $"'{other}' is not enrolled or pending"),
            };
            return new EnrollmentAnswer(ProtocolJson.Text(f, "deviceId", ProtocolJson.DeviceIdGrammar(), "a device id"), status,
                f.Integer("retryAfterSeconds", 0, 86_400));
        });

    public static string StatusName(EnrollmentStatus status) => status switch
    {
        EnrollmentStatus.Enrolled => "enrolled",
        EnrollmentStatus.Pending => "pending",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}
