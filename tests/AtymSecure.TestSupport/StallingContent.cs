namespace AtymSecure.TestSupport;

/// <summary>
/// A request body that sends <c>first</c> and then never ends until <c>stall</c> is cancelled: a client stalled mid-upload,
/// so a test can kill the server while the request is still open. <see cref="Sent"/> completes once <c>first</c> is flushed.
/// The wait is an await of the test's own cancellation, not a sleep.
/// </summary>
public sealed class StallingContent(ReadOnlyMemory<byte> first, CancellationToken stall) : HttpContent
{
    private readonly TaskCompletionSource _sent = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the first bytes have been written and flushed to the connection.</summary>
    public Task Sent => _sent.Task;

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        await stream.WriteAsync(first, stall);
        await stream.FlushAsync(stall);
        _sent.TrySetResult();
        await Task.Delay(Timeout.Infinite, stall);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
