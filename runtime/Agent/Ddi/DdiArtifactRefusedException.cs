namespace AtymSecure.DeviceAgent.Ddi;

/// <summary>
/// A downloaded DDI artifact that is not what the server announced: more bytes than its <c>size</c>, or another
/// SHA-256 than its <c>hashes.sha256</c> (a damaged mirror or a hostile network). Unlike a broken connection, which is
/// resumed on the next poll, this ends the action: the agent deletes the file and reports <c>closed</c>/<c>failure</c>
/// with <see cref="Code"/> (as SWUpdate reports a hash mismatch), and the rollout's retry policy decides what comes next.
/// </summary>
public sealed class DdiArtifactRefusedException(string message) : Exception(message)
{
    /// <summary>The reason code in the feedback's details.</summary>
    public const string Code = "artifact-mismatch";
}
