using System.Collections.Concurrent;
using AtymSecure.Oci.Wire;
using Spectre.Console;
using AtymSecure.Primitives;

namespace AtymSecure.Cli.Output;

/// <summary>
/// Spectre.Console progress bars for transfers: one bar per descriptor, fed by the OCI library's
/// progress callbacks. Falls back to plain lines when the output is not a terminal.
/// </summary>
internal sealed class TransferProgress
{
    private readonly ConcurrentDictionary<Digest, ProgressTask> _tasks = new();
    private ProgressContext? _context;

    public static async Task<T> RunAsync<T>(Func<TransferProgress, Task<T>> work)
    {
        var progress = new TransferProgress();
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            return await work(progress).ConfigureAwait(false);
        }
        return await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn())
            .StartAsync(async ctx =>
            {
                progress._context = ctx;
                return await work(progress).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    public void Report(Descriptor descriptor, long bytes)
    {
        if (_context is null) return;
        var task = _tasks.GetOrAdd(descriptor.Digest, _ =>
            _context.AddTask(Label(descriptor), maxValue: Math.Max(1, descriptor.Size)));
        task.Value = bytes;
    }

    public void Done(Descriptor descriptor, string how)
    {
        if (_context is null)
        {
            Console.Error.WriteLine($"{how,-8} {Label(descriptor)}");
            return;
        }
        var task = _tasks.GetOrAdd(descriptor.Digest, _ => _context.AddTask(Label(descriptor), maxValue: Math.Max(1, descriptor.Size)));
        task.Description = $"{how} {Label(descriptor)}";
        task.Value = task.MaxValue;
        task.StopTask();
    }

    private static string Label(Descriptor d)
    {
        var title = d.Annotations?.GetValueOrDefault(AnnotationKeys.Title);
        var shortDigest = d.Digest.Encoded.Length > 12 ? d.Digest.Encoded[..12] : d.Digest.Encoded;
        return Markup.Escape(title is null ? $"{d.MediaType} {shortDigest}" : $"{title} {shortDigest}");
    }
}
