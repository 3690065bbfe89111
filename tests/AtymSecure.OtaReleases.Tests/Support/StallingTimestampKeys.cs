using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.OtaMetadata.Keys;

namespace AtymSecure.OtaReleases.Tests.Support;

/// <summary>
/// An online key store whose timestamp key, once <see cref="Arm"/>ed, blocks in <c>Sign</c> until released, ignoring
/// cancellation: a holder frozen in the middle of a round (a hung HSM, a long pause), after it read the folder and chose
/// the version it will write.
/// </summary>
internal sealed class StallingTimestampKeys(IOnlineKeyStore inner) : IOnlineKeyStore
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _armed;

    /// <summary>Set when a signature was asked for while armed.</summary>
    public TaskCompletionSource Stalled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Arm() => _armed = true;

    public void Release() => _release.TrySetResult();

    public IReadOnlyList<IOnlineKey> Keys(OnlineRole role) =>
        role == OnlineRole.Timestamp ? [.. inner.Keys(role).Select(k => new StallingKey(k, this))] : inner.Keys(role);

    public IOnlineKey Generate(OnlineRole role) => inner.Generate(role);

    private void Pause()
    {
        if (!_armed) return;
        Stalled.TrySetResult();
        _release.Task.Wait();
    }

    private sealed class StallingKey(IOnlineKey key, StallingTimestampKeys owner) : IOnlineKey
    {
        public OnlineRole Role => key.Role;

        public int Generation => key.Generation;

        public TufKey PublicKey => key.PublicKey;

        public string KeyId => key.KeyId;

        public AtymSecure.Formats.Crypto.SignatureAlgorithm Algorithm => key.Algorithm;

        public ReadOnlyMemory<byte> PublicKeySpki => key.PublicKeySpki;

        public byte[] Sign(ReadOnlySpan<byte> canonicalSigned)
        {
            owner.Pause();
            return key.Sign(canonicalSigned);
        }

        public ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) => key.SignAsync(data, cancellationToken);
    }
}
