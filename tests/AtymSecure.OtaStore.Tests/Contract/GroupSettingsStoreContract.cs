namespace AtymSecure.OtaStore.Tests.Contract;

/// <summary>What every <see cref="IGroupSettingsStore"/> must do.</summary>
public abstract class GroupSettingsStoreContract(IStoreFixture fixture) : IDisposable
{
    private readonly StoreSet _stores = fixture.Open();

    public void Dispose()
    {
        fixture.Dispose();
        GC.SuppressFinalize(this);
    }

    private static GroupSettings Settings(string group, long seconds, int jitter = 10) => new(group, seconds, jitter, Samples.T0, "0a1b2c3d admin");

    [Fact]
    public void Settings_read_back_equal_are_replaced_by_a_second_set_and_survive_a_restart()
    {
        Assert.Null(_stores.GroupSettings.Find("eu"));
        _stores.GroupSettings.Set(Settings("eu", 600));
        Assert.Equal(Settings("eu", 600), _stores.GroupSettings.Find("eu"));
        _stores.GroupSettings.Set(Settings("eu", 120, 25) with { UpdatedAt = Samples.T0.AddHours(1) });
        Assert.Equal(Settings("eu", 120, 25) with { UpdatedAt = Samples.T0.AddHours(1) }, fixture.Reopen().GroupSettings.Find("eu"));
    }

    [Fact]
    public void The_list_is_every_group_ordered_by_ordinal_name_and_remove_says_whether_there_was_one()
    {
        var reopened = _stores;
        foreach (var group in new[] { "us", "EU", "eu", "\u00fcber", "lab-2" }) reopened.GroupSettings.Set(Settings(group, 60));
        Assert.Equal(["EU", "eu", "lab-2", "us", "\u00fcber"], reopened.GroupSettings.List().Select(s => s.Group));
        Assert.True(reopened.GroupSettings.Remove("us"));
        Assert.False(reopened.GroupSettings.Remove("us"));
        Assert.False(reopened.GroupSettings.Remove("asia"));
        Assert.Equal(["EU", "eu", "lab-2", "\u00fcber"], fixture.Reopen().GroupSettings.List().Select(s => s.Group));
    }
}
