using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Formats.Container;
using CsCheck;

namespace AtymSecure.Bootloader.Tests.Layout;

/// <summary>
/// The planner refuses what no flash size can satisfy instead of searching for a size (issue 10: a 40-character
/// name made <c>RequiredFlashSize</c> grow the part forever). Every call runs under a deadline, so a loop that
/// does not end fails the test instead of hanging the run.
/// </summary>
public sealed class LayoutPlannerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>On a thread of its own: the suite keeps the thread pool busy, and the deadline is for the planner alone.</summary>
    private static Task OnOwnThread(Action work) => Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static async Task<PartitionTableException> RefusedWithin(Func<object> plan)
    {
        var work = OnOwnThread(() => plan());
        var e = await Assert.ThrowsAsync<PartitionTableException>(() => work.WaitAsync(Deadline));
        Assert.NotEmpty(e.Problems);
        return e;
    }

    [Fact]
    public async Task A_name_longer_than_the_table_holds_is_refused_not_searched_for()
    {
        // Failed before the fix: RequiredFlashSize grew the part forever (every plan failed validation, not space).
        var name = new string('a', 40);
        var e = await RefusedWithin(() => LayoutPlanner.RequiredFlashSize(FlashProfile.SpiNor, [new(name, 1024 * 1024)]));
        var problem = Assert.Single(e.Problems);
        Assert.Equal((ConfigProblemCodes.InvalidName, "containers[0].name"), (problem.Code, problem.Path));
        Assert.Contains("40 characters, at most 32", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("App", "has 'A'")]
    [InlineData("my.app", "has '.'")]
    [InlineData("my_app", "has '_'")]
    [InlineData("app-", "ends with '-'")]
    [InlineData("", "empty")]
    public async Task Names_outside_the_one_rule_are_refused_by_the_planner(string name, string expected)
    {
        var e = await RefusedWithin(() => LayoutPlanner.RequiredFlashSize(FlashProfile.Nrf52Like, [new(name, 4096)]));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        await RefusedWithin(() => LayoutPlanner.Plan(FlashProfile.Nrf52Like.CreateGeometry(1 << 20), [new(name, 4096)]));
    }

    [Theory]
    [InlineData(0L, "slot size 0")]
    [InlineData(-5L, "slot size -5")]
    [InlineData(1L << 40, "outside 1..")]
    public async Task Sizes_no_part_can_hold_are_refused(long bytes, string expected)
    {
        var e = await RefusedWithin(() => LayoutPlanner.RequiredFlashSize(FlashProfile.Stm32F4Mixed, [new("app", bytes)]));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        var problem = Assert.Single(e.Problems);
        Assert.Equal((PartitionTableProblemCodes.SizeOutOfRange, "containers[0].maxImageBytes"), (problem.Code, problem.Path));
    }

    [Fact]
    public async Task Request_and_room_problems_carry_a_code_and_the_request_at_fault()
    {
        var dup = await RefusedWithin(() => LayoutPlanner.Plan(FlashProfile.Nrf52Like.CreateGeometry(1 << 20), [new("app", 4096), new("app", 4096)]));
        Assert.Equal((PartitionTableProblemCodes.DuplicateContainer, "containers"), (dup.Problems[0].Code, dup.Problems[0].Path));
        var none = await RefusedWithin(() => LayoutPlanner.Plan(FlashProfile.Nrf52Like.CreateGeometry(1 << 20), []));
        Assert.Equal((PartitionTableProblemCodes.NoContainers, "containers"), (none.Problems[0].Code, none.Problems[0].Path));
        var half = await RefusedWithin(() => LayoutPlanner.Plan(FlashProfile.Nrf52Like.CreateGeometry(1 << 20), [new("app", 4096)], stateHalfMinBytes: 0));
        Assert.Equal((PartitionTableProblemCodes.SizeOutOfRange, "stateHalfMinBytes"), (half.Problems[0].Code, half.Problems[0].Path));
        var room = await RefusedWithin(() => LayoutPlanner.Plan(FlashProfile.Nrf52Like.CreateGeometry(64 * 1024), [new("app", 1 << 20)]));
        Assert.Equal((PartitionTableProblemCodes.NoRoom, "containers"), (room.Problems[0].Code, room.Problems[0].Path));
        var huge = await RefusedWithin(() => LayoutPlanner.RequiredFlashSize(FlashProfile.Nrf52Like, [new("a", uint.MaxValue / 2), new("b", uint.MaxValue / 2)]));
        Assert.Equal((PartitionTableProblemCodes.PartTooLarge, "containers"), (huge.Problems[0].Code, huge.Problems[0].Path));
    }

    [Fact]
    public async Task Duplicates_too_many_containers_and_a_part_beyond_32_bits_are_refused()
    {
        Assert.Contains("listed 2 times", (await RefusedWithin(() => LayoutPlanner.RequiredFlashSize(FlashProfile.SpiNor, [new("a", 4096), new("a", 4096)]))).Message);
        var many = Enumerable.Range(0, PartitionTable.MaxContainers + 1).Select(i => new ContainerSlotRequest($"c{i}", 4096)).ToArray();
        Assert.Contains("at most 40", (await RefusedWithin(() => LayoutPlanner.RequiredFlashSize(FlashProfile.SpiNor, many))).Message);
        var huge = Enumerable.Range(0, 3).Select(i => new ContainerSlotRequest($"c{i}", 1L << 30)).ToArray();
        Assert.Contains("more than 4294967295 bytes", (await RefusedWithin(() => LayoutPlanner.RequiredFlashSize(FlashProfile.SpiNor, huge))).Message);
    }

    [Fact]
    public void The_partition_table_name_field_is_the_container_name_limit() =>
        Assert.Equal(PartitionTable.MaxNameLength, ContainerName.MaxLength);

    [Fact]
    public void State_halves_grow_with_the_container_count()
    {
        var many = Enumerable.Range(0, PartitionTable.MaxContainers).Select(i => new ContainerSlotRequest($"c{i}", 4096)).ToArray();
        var g = FlashProfile.Nrf52Like.CreateGeometry(LayoutPlanner.RequiredFlashSize(FlashProfile.Nrf52Like, many));
        var table = LayoutPlanner.Plan(g, many);
        Assert.True(table.StateHalf(0).Size >= AtymSecure.Bootloader.State.StateLog.MinimumHalfBytes(many.Length, g.WriteAlignment));
        _ = new AtymSecure.Bootloader.State.StateLog(new AtymSecure.Bootloader.Simulator.SimulatedNorFlash(g), table, AtymSecure.Bootloader.Crypto.DeviceKey.Generate()); // would throw if too small
    }

    [Fact]
    public void Any_request_is_planned_or_refused_never_spun_on()
    {
        var names = Gen.OneOf(Gen.String[Gen.Char["abz09-._A"], 0, 48], Gen.Const("app"), Gen.Const(new string('z', 32)));
        var sizes = Gen.OneOf(Gen.Long[-10, 300_000], Gen.Long[0, long.MaxValue]);
        var requests = Gen.Select(names, sizes, (n, s) => new ContainerSlotRequest(n, s)).Array[0, 4];
        var profiles = Gen.Int[0, FlashProfile.All.Count - 1].Select(i => FlashProfile.All[i]);
        Gen.Select(profiles, requests).Sample((profile, request) =>
        {
            var work = OnOwnThread(() =>
            {
                try
                {
                    var g = profile.CreateGeometry(LayoutPlanner.RequiredFlashSize(profile, request));
                    Assert.Empty(LayoutPlanner.Plan(g, request).Validate(g));
                    Assert.All(request, r => Assert.True(ContainerName.IsValid(r.Name)));
                }
                catch (PartitionTableException e)
                {
                    Assert.NotEmpty(e.Problems);
                }
            });
            Assert.True(work.Wait(Deadline), $"planning {string.Join(", ", request.Select(r => $"{r.Name}={r.MaxImageBytes}"))} on {profile} did not end");
        }, iter: 300);
    }
}
