using AtymSecure.Formats;
using AtymSecure.Primitives;

namespace AtymSecure.DeviceAgent.Trust;

/// <summary>
/// The trust or metadata store cannot be read as this device wrote it: a file is missing, over its cap, fails its MAC
/// or its digest, or does not parse (docs/trust-model.md §3 step 0). The device enters <c>recovery-state</c>: it
/// never falls back to a fresh store, because forgetting versions and the time floor would reopen rollback.
/// </summary>
public sealed class TrustStoreDamagedException : ProblemException
{
    public TrustStoreDamagedException(string path, string message, Exception? inner = null)
        : base("trust store damaged", [new Problem(ReasonCodes.RecoveryState, path, message)], inner)
    {
    }

    public TrustStoreDamagedException() : base("trust store damaged") { }

    public TrustStoreDamagedException(string message) : base(message) { }

    public TrustStoreDamagedException(string message, Exception inner) : base(message, inner) { }
}
