using System.Globalization;
using System.Text;
using AtymSecure.Bench.Delta;

// Usage: AtymSecure.Bench.Delta WORKDIR [pair...]   (WORKDIR/pairs is filled by build-inputs.sh)
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: AtymSecure.Bench.Delta WORKDIR [const|func|sqlite ...]");
    return 2;
}

GenericTools.RequireInstalled();
string work = args[0];
var pairNames = args.Length > 1 ? args[1..] : ["const", "func", "sqlite"];
string scratch = Directory.CreateTempSubdirectory("atym-delta-bench-").FullName;
var pairs = await ArtifactPairs.CollectAsync(Path.Combine(work, "pairs"), pairNames);

// Warm the JIT so the first row's timings are not compile times.
OurCodecs.Run("SeqDiff (MCU)", [1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 9, 5, 6, 7, 8]);
OurCodecs.Run("ZstdPrefix", [1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 9, 5, 6, 7, 8]);

var table = new StringBuilder();
table.AppendLine("| pair | kind | new B | bsdiff | xdelta3 -9 | zstd -19 pf | SeqDiff (MCU) | ×best | ZstdPrefix | ×best | enc ms bsdiff/zstd/SeqDiff/ZstdPrefix | dec ms bspatch/zstd/SeqDiff/ZstdPrefix | decoder memory bspatch / zstd / SeqDiff / ZstdPrefix |");
table.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|");
bool allOk = true;
foreach (var pair in pairs)
{
    var oldImage = File.ReadAllBytes(pair.OldPath);
    var newImage = File.ReadAllBytes(pair.NewPath);
    var tools = GenericTools.Names.Select(t => GenericTools.Run(t, pair, scratch)).ToList();
    var ours = OurCodecs.Names.Select(c => OurCodecs.Run(c, oldImage, newImage)).ToList();
    allOk &= tools.Concat(ours).All(r => r.RoundTrips);
    long best = tools.Min(t => t.PatchSize);
    string Ratio(ToolResult r) => (r.PatchSize / (double)best).ToString("0.00", CultureInfo.InvariantCulture);
    string Ms(ToolResult r) => r.EncodeMs.ToString("0", CultureInfo.InvariantCulture);
    string Dms(ToolResult r) => r.DecodeMs.ToString("0.0", CultureInfo.InvariantCulture);
    string Size(ToolResult r) => r.RoundTrips ? r.PatchSize.ToString(CultureInfo.InvariantCulture) : $"{r.PatchSize} (BROKEN)";
    var row = $"| {pair.Pair} | {pair.Kind} | {newImage.Length} | {Size(tools[0])} | {Size(tools[1])} | {Size(tools[2])} " +
              $"| {Size(ours[0])} | {Ratio(ours[0])} | {Size(ours[1])} | {Ratio(ours[1])} " +
              $"| {Ms(tools[0])}/{Ms(tools[2])}/{Ms(ours[0])}/{Ms(ours[1])} " +
              $"| {Dms(tools[0])}/{Dms(tools[2])}/{Dms(ours[0])}/{Dms(ours[1])} " +
              $"| {Mem(tools[0].DecodePeakBytes)} RSS / {Mem(tools[2].DecodePeakBytes)} RSS / {Mem(ours[0].DecodePeakBytes)} buffers / {Mem(ours[1].DecodePeakBytes)} old+window |";
    Console.Error.WriteLine(row);
    table.AppendLine(row);
}

Console.WriteLine();
Console.WriteLine("Patch sizes in bytes; ours include the 96-byte header (two SHA-256 digests). ×best = ours / smallest of bsdiff, xdelta3 -9, zstd -19 --patch-from.");
Console.WriteLine(table.ToString());
Directory.Delete(scratch, recursive: true);
if (!allOk)
{
    Console.WriteLine("ERROR: at least one patch did not round-trip (marked BROKEN)");
    return 1;
}

return 0;

static string Mem(long bytes) => bytes >= 1 << 20
    ? (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB"
    : (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB";
