using AtymSecure.Runtime.Messaging;
using AtymSecure.Runtime.Permissions;
using CsCheck;

namespace AtymSecure.Runtime.Tests.Messaging;

public sealed class TopicFilterTests
{
    private static readonly Gen<string> Level = Gen.OneOf<string>("a", "b", "c");
    private static readonly Gen<string> Topic = Level.Array[1, 4].Select(l => string.Join('/', l));
    private static readonly Gen<string> Filter = Gen.OneOf<string>("a", "b", "+").Array[1, 4]
        .Select(Gen.Bool, (l, hash) => string.Join('/', hash ? [.. l, "#"] : l));

    [Theory]
    [InlineData("a/+/c", "a/b/c", true)]
    [InlineData("a/#", "a", true)]
    [InlineData("a/#", "a/b/c", true)]
    [InlineData("a/+", "a/b/c", false)]
    [InlineData("a/b", "a/b", true)]
    [InlineData("a/b", "a/c", false)]
    public void Matches_like_MQTT(string filter, string topic, bool expected) => Assert.Equal(expected, TopicFilter.Matches(filter, topic));

    [Fact]
    public void A_covering_filter_matches_every_topic_the_covered_one_matches() =>
        Gen.Select(Filter, Filter, Topic).Sample((granted, requested, topic) =>
            !TopicFilter.Covers(granted, requested) || !TopicFilter.Matches(requested, topic) || TopicFilter.Matches(granted, topic));

    [Fact]
    public void Full_subscriber_queue_drops_the_oldest()
    {
        var bus = new MessageBus();
        using var s = bus.Subscribe("c", "t", capacity: 2);
        for (var i = 0; i < 3; i++) bus.Publish(new BusMessage("t", [(byte)i], "p", TimeSpan.Zero));
        Assert.Equal(1, s.Dropped);
        Assert.True(s.TryReceive(out var m));
        Assert.Equal(1, m.Payload[0]);
    }
}
