using AtymSecure.Runtime.Permissions;

namespace AtymSecure.Runtime.Messaging;

/// <summary>One published message.</summary>
public sealed record BusMessage(string Topic, byte[] Payload, string Publisher, TimeSpan At);

/// <summary>
/// Publish/subscribe between the containers of one device (and the device host). Each subscriber has a
/// bounded queue; when it is full the oldest message is dropped and counted, so a slow container never
/// makes a publisher block or the device run out of memory.
/// </summary>
public sealed class MessageBus
{
    public const int MaxPayloadBytes = 4096;
    public const int MaxTopicBytes = 128;

    private readonly List<Subscription> _subscriptions = [];
    private readonly Lock _lock = new();

    public Subscription Subscribe(string subscriber, string filter, int capacity = 64)
    {
        var s = new Subscription(this, subscriber, filter, capacity);
        lock (_lock) _subscriptions.Add(s);
        return s;
    }

    /// <summary>Delivers to every matching subscription; returns how many received it.</summary>
    public int Publish(BusMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Payload.Length > MaxPayloadBytes)
            throw new ArgumentOutOfRangeException(nameof(message), $"payload of {message.Payload.Length} bytes is above {MaxPayloadBytes}");
        Subscription[] targets;
        lock (_lock) targets = [.. _subscriptions.Where(s => TopicFilter.Matches(s.Filter, message.Topic))];
        foreach (var s in targets) s.Enqueue(message);
        return targets.Length;
    }

    /// <summary>Removes every subscription of <paramref name="subscriber"/> (its container stopped).</summary>
    public void RemoveAll(string subscriber)
    {
        lock (_lock) _subscriptions.RemoveAll(s => s.Subscriber == subscriber);
    }

    internal void Remove(Subscription s)
    {
        lock (_lock) _subscriptions.Remove(s);
    }
}

/// <summary>A subscriber's queue for one topic filter.</summary>
public sealed class Subscription : IDisposable
{
    private readonly MessageBus _bus;
    private readonly Queue<BusMessage> _queue = new();
    private readonly Lock _lock = new();
    private readonly int _capacity;

    internal Subscription(MessageBus bus, string subscriber, string filter, int capacity)
    {
        _bus = bus;
        Subscriber = subscriber;
        Filter = filter;
        _capacity = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));
    }

    public string Subscriber { get; }

    public string Filter { get; }

    public long Dropped { get; private set; }

    /// <summary>Messages ever delivered to this subscription (received, waiting or dropped).</summary>
    public long Delivered { get; private set; }

    public int Pending { get { lock (_lock) return _queue.Count; } }

    public bool TryReceive(out BusMessage message)
    {
        lock (_lock) return _queue.TryDequeue(out message!);
    }

    /// <summary>Returns the next message without removing it (receive with a too-small buffer keeps it).</summary>
    public bool TryPeek(out BusMessage message)
    {
        lock (_lock) return _queue.TryPeek(out message!);
    }

    internal void Enqueue(BusMessage message)
    {
        lock (_lock)
        {
            if (_queue.Count == _capacity)
            {
                _queue.Dequeue();
                Dropped++;
            }
            _queue.Enqueue(message);
            Delivered++;
        }
    }

    public void Dispose() => _bus.Remove(this);
}
