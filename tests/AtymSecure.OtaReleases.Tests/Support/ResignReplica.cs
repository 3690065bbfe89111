using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.OtaMetadata;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Offline;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.OtaMetadata.Resigning;
using AtymSecure.OtaReleases.Jobs;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using AtymSecure.Signer.Keys;
using Microsoft.Extensions.Logging.Abstractions;

namespace AtymSecure.OtaReleases.Tests.Support;

/// <summary>
/// What one OTA replica runs for metadata re-signing, wired as the host wires it (<c>AddOtaReleases</c> after
/// <c>AddOtaMetadata</c>): its own <see cref="ImageRepository"/> over the shared data folder, its own job queue on the
/// shared store with the <see cref="MetadataResignJob"/> handler, and the <see cref="MetadataResigningService"/> handing
/// due rounds to that queue (<see cref="JobResignRounds"/>). Nothing is shared in memory with a peer.
/// </summary>
internal sealed class ResignReplica : IAsyncDisposable
{
    private readonly FileOnlineKeyStore _keyFiles;
    private bool _started;

    public ResignReplica(string dataFolder, IJobStore store, TimeProvider clock, string replicaId, JobQueueOptions options,
        Func<IOnlineKeyStore, IOnlineKeyStore>? keys = null, Func<IJobHandler, IJobHandler>? handler = null)
    {
        var paths = new OtaMetadataOptions { DataFolder = dataFolder };
        _keyFiles = new FileOnlineKeyStore(paths.KeysFolder);
        Repository = new ImageRepository(paths.ImageFolder, keys?.Invoke(_keyFiles) ?? _keyFiles, clock);
        var resigner = new MetadataResigner(Repository, clock);
        var job = new MetadataResignJob(resigner);
        Queue = new JobQueue(store, [handler?.Invoke(job) ?? job], clock, options with { ReplicaId = replicaId });
        Service = new MetadataResigningService(resigner, new JobResignRounds(Queue), clock, NullLogger<MetadataResigningService>.Instance);
    }

    public ImageRepository Repository { get; }

    public JobQueue Queue { get; }

    public MetadataResigningService Service { get; }

    public async Task StartAsync()
    {
        _started = true;
        await Queue.StartAsync(CancellationToken.None);
        await Service.StartAsync(CancellationToken.None);
    }

    /// <summary>Stops both loops without waiting for a round in progress: what a killed process leaves behind.</summary>
    public async Task AbandonAsync()
    {
        _started = false;
        using var now = new CancellationTokenSource();
        await now.CancelAsync();
        foreach (var service in new Microsoft.Extensions.Hosting.BackgroundService[] { Service, Queue })
        {
            try
            {
                await service.StopAsync(now.Token);
            }
            catch (OperationCanceledException)
            {
                // did not wait for the round: the point
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            await Service.StopAsync(CancellationToken.None);
            await Queue.StopAsync(CancellationToken.None);
        }
        Service.Dispose();
        Queue.Dispose();
        _keyFiles.Dispose();
    }

    /// <summary>
    /// What an operator does once on an empty data folder: the online keys, image root 1 and top-level targets (offline
    /// keys made here) delegating <c>compiler-linux-x86_64</c> to the online compiler key. Publishes compiler 1, snapshot 1
    /// and timestamp 1 at <paramref name="clock"/>'s now.
    /// </summary>
    public static void Bootstrap(string dataFolder, TimeProvider clock)
    {
        var paths = new OtaMetadataOptions { DataFolder = dataFolder };
        using var keys = new FileOnlineKeyStore(paths.KeysFolder);
        foreach (var role in OnlineRoleNames.All) keys.EnsureKey(role);
        var repository = new ImageRepository(paths.ImageFolder, keys, clock);
        var rootKey = Ed25519MetadataSigner.Generate();
        var targetsKey = Ed25519MetadataSigner.Generate();
        var now = clock.GetUtcNow();
        repository.AcceptRoot(MetadataSigning.Sign(RootPlan.Build(1, now.AddDays(365), new Dictionary<string, RoleAssignment>
        {
            ["root"] = new([rootKey.PublicKey], 1),
            ["targets"] = new([targetsKey.PublicKey], 1),
            ["snapshot"] = new([keys.Keys(OnlineRole.Snapshot)[^1].PublicKey], 1),
            ["timestamp"] = new([keys.Keys(OnlineRole.Timestamp)[^1].PublicKey], 1),
        }, consistentSnapshot: true), rootKey).ToBytes());
        var topLevel = new TargetsMetadata { Version = 1, Expires = now.AddDays(90), Targets = EquatableMap<TargetFile>.Empty };
        topLevel = DelegationPlan.WithCompiler(topLevel, "linux-x86_64", new RoleAssignment([keys.Keys(OnlineRole.Compiler)[^1].PublicKey], 1));
        repository.AcceptTargets(MetadataSigning.Sign(topLevel, targetsKey).ToBytes());
    }
}
