using AtymSecure.Oci.Remote;
using AtymSecure.Oci.Remote.Auth;
using AtymSecure.Oci.Tests.Fakes;

namespace AtymSecure.Oci.Tests.Remote;

/// <summary>A Repository wired to a <see cref="FakeRegistry"/>, with waits recorded instead of slept.</summary>
internal sealed class FakeRemote : IDisposable
{
    public FakeRegistry Fake { get; } = new();
    public List<TimeSpan> Delays { get; } = [];
    private readonly HttpClient _client;

    public FakeRemote(int maxAttempts = 4, long chunkThreshold = 1024 * 1024, int chunkSize = 256 * 1024, ICredentialProvider? credentials = null,
        int pageSize = 1000)
    {
        _client = Fake.Client();
        Options = new RemoteOptions
        {
            HttpClient = _client,
            Credentials = credentials,
            ChunkedUploadThreshold = chunkThreshold,
            ChunkSize = chunkSize,
            PageSize = pageSize,
            Retry = new RetryPolicy
            {
                MaxAttempts = maxAttempts,
                NextJitter = () => 0.5,
                Delay = (t, _) => { lock (Delays) Delays.Add(t); return Task.CompletedTask; },
            },
        };
    }

    public RemoteOptions Options { get; }

    public Repository Repo(string name = "demo/app") => new($"registry.test/{name}", Options);

    public void Dispose()
    {
        _client.Dispose();
        Fake.Dispose();
    }
}
