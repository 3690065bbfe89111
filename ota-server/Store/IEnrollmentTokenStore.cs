namespace AtymSecure.OtaStore;

/// <summary>Fleet enrolment tokens.</summary>
public interface IEnrollmentTokenStore
{
    bool TryAdd(EnrollmentToken token);

    EnrollmentToken? Find(string id);

    IReadOnlyList<EnrollmentToken> List();

    bool Revoke(string id, DateTimeOffset at);

    /// <summary>Atomically takes one use of a token that is neither revoked nor expired at <paramref name="now"/> and has uses
    /// left (null = unlimited); false otherwise, and then nothing changes.</summary>
    bool TryConsume(string id, DateTimeOffset now);
}
