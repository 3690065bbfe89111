using System.Text.Json.Serialization;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.DeviceProtocol.Ddi;

/// <summary>
/// One piece of software of a deployment (hawkBit's DdiChunk, a software module on its side): its type
/// (<see cref="Part"/>: firmware, os, bApp…), version and name, its files, and metadata the vendor marked visible to
/// targets.
/// </summary>
public sealed record DdiChunk(
    [property: JsonPropertyName("part")] string Part,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("encrypted")] bool? Encrypted = null,
    [property: JsonPropertyName("artifacts")] EquatableList<DdiArtifact>? Artifacts = null,
    [property: JsonPropertyName("metadata")] EquatableList<DdiMetadata>? Metadata = null)
{
    public const int MaxArtifacts = 64;
    public const int MaxMetadata = 64;
    public const int MaxTextLength = 256;

    internal void Check(DdiCheck check, string path)
    {
        check.Text(Part, path + ".part", MaxTextLength);
        check.Text(Version, path + ".version", MaxTextLength);
        check.Text(Name, path + ".name", MaxTextLength);
        check.List(Artifacts, path + ".artifacts", MaxArtifacts, (a, p) => a.Check(check, p), required: false);
        check.List(Metadata, path + ".metadata", MaxMetadata, (m, p) =>
        {
            check.Text(m.Key, p + ".key", DdiMetadata.MaxKeyLength);
            if (check.Present(m.Value, p + ".value") && m.Value.Length > DdiMetadata.MaxValueLength)
                check.Add(DdiProblemCodes.TooMany, p + ".value", $"{m.Value.Length} characters, at most {DdiMetadata.MaxValueLength}");
        }, required: false);
    }
}

/// <summary>
/// One file of a chunk (hawkBit's DdiArtifact): its name, hashes and size, and where to get it: <c>download</c>
/// (https) / <c>download-http</c>, both supporting <c>Range</c>, and the <c>.MD5SUM</c> file (<c>md5sum</c>,
/// <c>md5sum-http</c>) in <c>md5sum</c>'s line format.
/// </summary>
public sealed record DdiArtifact(
    [property: JsonPropertyName("filename")] string Filename,
    [property: JsonPropertyName("hashes")] DdiArtifactHash Hashes,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("_links")] DdiArtifactLinks? Links = null)
{
    /// <summary>Artifacts up to 16 GiB (a full gateway image is far below).</summary>
    public const long MaxSize = 16L * 1024 * 1024 * 1024;

    internal void Check(DdiCheck check, string path)
    {
        check.Text(Filename, path + ".filename", 255, DdiCheck.FileNameGrammar(), "a file name (one path segment, no leading dot)");
        if (Size is < 0 or > MaxSize) check.Add(DdiProblemCodes.Invalid, path + ".size", $"{Size} is not 0..{MaxSize}");
        if (check.Present(Hashes, path + ".hashes"))
        {
            check.Text(Hashes.Sha1, path + ".hashes.sha1", 40, DdiCheck.Sha1Grammar(), "40 lowercase hex digits");
            check.Text(Hashes.Md5, path + ".hashes.md5", 32, DdiCheck.Md5Grammar(), "32 lowercase hex digits");
            check.Text(Hashes.Sha256, path + ".hashes.sha256", 64, DdiCheck.Sha256Grammar(), "64 lowercase hex digits");
        }
        if (Links is null) return;
        check.Link(Links.Download, path + "._links.download", required: false);
        check.Link(Links.DownloadHttp, path + "._links.download-http", required: false);
        check.Link(Links.Md5Sum, path + "._links.md5sum", required: false);
        check.Link(Links.Md5SumHttp, path + "._links.md5sum-http", required: false);
        if (Links.Download is null && Links.DownloadHttp is null)
            check.Add(DdiProblemCodes.Required, path + "._links", "neither download nor download-http");
    }
}

/// <summary><c>hashes</c> of an artifact, lowercase hex.</summary>
public sealed record DdiArtifactHash(
    [property: JsonPropertyName("sha1")] string Sha1,
    [property: JsonPropertyName("md5")] string Md5,
    [property: JsonPropertyName("sha256")] string Sha256);

/// <summary><c>_links</c> of an artifact.</summary>
public sealed record DdiArtifactLinks(
    [property: JsonPropertyName("download")] DdiLink? Download = null,
    [property: JsonPropertyName("download-http")] DdiLink? DownloadHttp = null,
    [property: JsonPropertyName("md5sum")] DdiLink? Md5Sum = null,
    [property: JsonPropertyName("md5sum-http")] DdiLink? Md5SumHttp = null);

/// <summary>One <c>metadata</c> entry of a chunk.</summary>
public sealed record DdiMetadata(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("value")] string Value)
{
    public const int MaxKeyLength = 128;
    public const int MaxValueLength = 4000;
}
