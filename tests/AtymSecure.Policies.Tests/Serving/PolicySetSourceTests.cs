using AtymSecure.Policies.Serving;
using AtymSecure.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace AtymSecure.Policies.Tests.Serving;

/// <summary>
/// <see cref="PolicySetSource"/> on a temp folder holding a copy of the samples' policy set: on-demand reloads, the
/// watcher (awaited through <see cref="PolicySetSource.Reloaded"/>, never a sleep), a broken set that leaves the last
/// good one serving, and a set that was never good.
/// </summary>
public sealed class PolicySetSourceTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TempFolder _folder = TempFolder.Create("policy-source");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));

    public PolicySetSourceTests()
    {
        foreach (var file in Directory.EnumerateFiles(TestPaths.SamplePolicies, "*.yaml"))
            File.Copy(file, _folder.File(Path.GetFileName(file)));
    }

    [Fact]
    public void A_good_folder_serves_its_set_with_its_digest()
    {
        using var source = new PolicySetSource(_folder.Path, _clock);

        var state = source.State;
        Assert.True(state.IsReady);
        Assert.False(state.IsDegraded);
        Assert.Equal("ready", state.Status);
        Assert.Equal(AtymSecure.Policies.Loading.PolicySetLoader.LoadFolder(_folder.Path).Set!.Digest, state.Serving!.Digest);
        Assert.Equal(_clock.GetUtcNow(), state.ServingSince);
        Assert.Null(state.LastFailure);
    }

    [Fact]
    public void A_broken_file_keeps_the_last_good_set_serving_and_names_every_error_with_its_position_then_a_fix_is_served()
    {
        using var source = new PolicySetSource(_folder.Path, _clock);
        var good = source.State.Serving!;

        _clock.Advance(TimeSpan.FromMinutes(1));
        File.WriteAllText(_folder.File("deployment.yaml"), File.ReadAllText(_folder.File("deployment.yaml")).Replace("maxWavePercent: 50", "maxWavePercent: 500", StringComparison.Ordinal)
            .Replace("mandatoryCanary: true", "mandatoryCanary: sometimes", StringComparison.Ordinal));
        var broken = source.Reload();

        Assert.Same(good, broken.Serving);
        Assert.True(broken.IsDegraded);
        Assert.Equal("degraded", broken.Status);
        Assert.Equal(_clock.GetUtcNow(), broken.LastFailure!.At);
        Assert.True(broken.LastFailure.Problems.Count >= 2, string.Join("\n", broken.LastFailure.Problems));
        // Both mistakes, at their lines, and what they break elsewhere (permission rules naming the groups now undefined).
        Assert.All(broken.LastFailure.Problems, p => Assert.StartsWith(_folder.Path, p.Position?.File, StringComparison.Ordinal));
        var inFile = broken.LastFailure.Problems.Where(p => p.Position!.Value.File == Path.Combine(_folder.Path, "deployment.yaml")).ToList();
        Assert.Contains(inFile, p => p.Code == PolicyProblemCodes.OutOfRange && p.Position!.Value.Line > 1);
        Assert.Contains(inFile, p => p.Code == PolicyProblemCodes.WrongType && p.Position!.Value.Line > 1);

        File.WriteAllText(_folder.File("deployment.yaml"), File.ReadAllText(_folder.File("deployment.yaml"))
            .Replace("maxWavePercent: 500", "maxWavePercent: 40", StringComparison.Ordinal).Replace("mandatoryCanary: sometimes", "mandatoryCanary: true", StringComparison.Ordinal));
        var fixedState = source.Reload();

        Assert.Equal("ready", fixedState.Status);
        Assert.NotEqual(good.Digest, fixedState.Serving!.Digest);
        Assert.Contains(fixedState.Serving.Groups, g => g.Name == "eu-prod" && g.Rollout.MaxWavePercent == 40);
        Assert.Equal(_clock.GetUtcNow(), fixedState.ServingSince);
        Assert.True(fixedState.Generation > broken.Generation);
    }

    [Fact]
    public void The_same_files_again_keep_the_serving_since_time_and_clear_a_failure()
    {
        using var source = new PolicySetSource(_folder.Path, _clock);
        var since = source.State.ServingSince;
        File.WriteAllText(_folder.File("extra.yaml"), "apiVersion: [");
        source.Reload();
        File.Delete(_folder.File("extra.yaml"));
        _clock.Advance(TimeSpan.FromHours(1));

        var again = source.Reload();

        Assert.Equal("ready", again.Status);
        Assert.Equal(since, again.ServingSince);
    }

    [Fact]
    public void A_folder_that_was_never_good_serves_nothing_and_says_why()
    {
        File.WriteAllText(_folder.File("trust.yaml"), "apiVersion: policy.atym.dev/v1\nkind: TrustPolicy\nmetadata: {name: x}\nspec: {keys: [], rules: [], extra: 1}\n");

        using var source = new PolicySetSource(_folder.Path, _clock);

        Assert.False(source.State.IsReady);
        Assert.Equal("unavailable", source.State.Status);
        Assert.Contains(source.State.LastFailure!.Problems, p => p.Code == PolicyProblemCodes.UnknownField && p.Position is { Line: 4 });
    }

    [Fact]
    public async Task The_watcher_reloads_a_changed_file_keeps_the_good_set_when_it_breaks_and_serves_the_fix()
    {
        using var source = new PolicySetSource(_folder.Path, debounce: TimeSpan.FromMilliseconds(50));
        var good = source.State.Serving!;
        source.Watch();

        var broken = await ChangeAsync(source, () => File.WriteAllText(_folder.File("permissions.yaml"), "apiVersion: policy.atym.dev/v1\nkind: PermissionPolicy\n"),
            s => s.LastFailure is not null);
        Assert.Same(good, broken.Serving);
        Assert.Contains(broken.LastFailure!.Problems, p => p.Position?.File.EndsWith("permissions.yaml", StringComparison.Ordinal) == true);

        var repaired = await ChangeAsync(source, () => File.Copy(Path.Combine(TestPaths.SamplePolicies, "permissions.yaml"), _folder.File("permissions.yaml"), overwrite: true),
            s => s.LastFailure is null);
        Assert.Equal(good.Digest, repaired.Serving!.Digest);

        var narrowed = await ChangeAsync(source, () => File.WriteAllText(_folder.File("devices.yaml"),
            File.ReadAllText(_folder.File("devices.yaml")).Replace("minRuntimeVersion: 0.3.0", "minRuntimeVersion: 0.4.0", StringComparison.Ordinal)),
            s => s.LastFailure is null && s.Serving!.Digest != good.Digest);
        Assert.Contains(narrowed.Serving!.DeviceClasses, c => c.Name == "mcu-cortex-m4" && c.MinRuntimeVersion.ToString() == "0.4.0");
    }

    [Fact]
    public async Task Readers_during_reloads_see_one_whole_set_or_the_other()
    {
        using var source = new PolicySetSource(_folder.Path, _clock);
        var first = source.State.Serving!;
        var text = File.ReadAllText(_folder.File("deployment.yaml"));
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < 20; i++)
            {
                File.WriteAllText(_folder.File("deployment.yaml"), text.Replace("maxWavePercent: 50", $"maxWavePercent: {10 + i}", StringComparison.Ordinal));
                source.Reload();
            }
        });
        var seen = new List<(Primitives.Digest Digest, int MaxWave)>();
        while (!writer.IsCompleted)
        {
            var set = source.State.Serving!;
            seen.Add((set.Digest, set.Groups.Single(g => g.Name == "eu-prod").Rollout.MaxWavePercent));
        }
        await writer;
        // A digest covers the bytes its set was read from: one digest seen with two values would be a torn snapshot.
        Assert.All(seen.GroupBy(s => s.Digest), g => Assert.Single(g.Select(s => s.MaxWave).Distinct()));
        Assert.NotEqual(first.Digest, source.State.Serving!.Digest);
        Assert.Equal(29, source.State.Serving.Groups.Single(g => g.Name == "eu-prod").Rollout.MaxWavePercent);
    }

    private static async Task<PolicyState> ChangeAsync(PolicySetSource source, Action change, Func<PolicyState, bool> until)
    {
        var reached = new TaskCompletionSource<PolicyState>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Seen(PolicyState s)
        {
            if (until(s)) reached.TrySetResult(s);
        }
        source.Reloaded += Seen;
        try
        {
            change();
            return await reached.Task.WaitAsync(Patience);
        }
        finally
        {
            source.Reloaded -= Seen;
        }
    }

    public void Dispose() => _folder.Dispose();
}
