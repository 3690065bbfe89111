using System.Text;
using AtymSecure.Primitives;

namespace AtymSecure.Delivery.Swu;

/// <summary>
/// One file an <c>.swu</c> installs with SWUpdate's <c>rawfile</c> handler: the cpio entry it is read from, the absolute
/// path it is written to on the target, and its SHA-256 (SWUpdate checks it while extracting, before any handler runs).
/// <paramref name="AtomicInstall"/> makes the handler write <c>PATH.tmp</c> and rename it into place, so a reader of the
/// destination folder (the atym agent's inbox) never sees a partial file.
/// </summary>
public sealed record SwuFile(string Filename, string Path, string Sha256, bool AtomicInstall = true);

/// <summary>
/// A shell script SWUpdate runs after every file is installed (<c>scripts</c>, <c>type = "postinstall"</c>, Debian's
/// SWUpdate has the <c>postinstall</c> handler): extracted to <c>$TMPDIR/scripts</c>, its SHA-256 checked like a payload's,
/// made executable and run; a non-zero exit fails the install (and suricatta reports <c>closed</c>/<c>failure</c>).
/// </summary>
public sealed record SwuScript(string Filename, string Sha256);

/// <summary>
/// A software set and mode (<c>swupdate -e SET,MODE</c>): the files are described under <c>software.SET.MODE</c>, so a
/// gateway that selects another set finds nothing to install for it.
/// </summary>
public sealed record SwuSelection(string Set, string Mode);

/// <summary>
/// <c>sw-description</c>, the manifest at the head of an <c>.swu</c>, in the libconfig syntax of SWUpdate's default parser:
/// <code>
/// software =
/// {
///     version = "1.2.0";
///     description = "…";
///     hardware-compatibility: [ "1.0" ];          // matched against the revision of swupdate -H BOARD:REV
///     stable: { main: {                           // only with a selection (swupdate -e stable,main)
///         files: ( { filename = "…"; path = "/…"; type = "rawfile"; sha256 = "…";
///                    properties: { atomic-install = "true"; }; } );
///         scripts: ( { filename = "…"; type = "postinstall"; sha256 = "…"; } );   // only with a script
///     }; };
/// };
/// </code>
/// Every value is checked when the record is made (printable ASCII, no quotes or backslashes to escape, bounded sizes,
/// absolute paths without <c>..</c>, lower-case hex digests), so the text is never ambiguous and a hostile release name
/// cannot inject a second image or a script into the manifest.
/// </summary>
public sealed record SwDescription
{
    public const int MaxFiles = 16;
    public const int MaxValueLength = 255;
    public const int MaxRevisions = 32;

    /// <exception cref="ArgumentException">A value that breaks a rule above (the message names it).</exception>
    public SwDescription(string version, string description, EquatableList<string> hardwareCompatibility, EquatableList<SwuFile> files,
        SwuSelection? selection = null, SwuScript? postInstall = null)
    {
        ArgumentNullException.ThrowIfNull(hardwareCompatibility);
        ArgumentNullException.ThrowIfNull(files);
        Value(version, "version", allowEmpty: false);
        Value(description, "description", allowEmpty: true);
        if (hardwareCompatibility.Count is 0 or > MaxRevisions)
            throw new ArgumentException($"hardware-compatibility lists 1 to {MaxRevisions} revisions (SWUpdate refuses an image for any board without one)", nameof(hardwareCompatibility));
        foreach (var revision in hardwareCompatibility) Value(revision, "hardware-compatibility revision", allowEmpty: false);
        if (files.Count is 0 or > MaxFiles) throw new ArgumentException($"an .swu installs 1 to {MaxFiles} files", nameof(files));
        foreach (var file in files) Check(file);
        if (files.Select(f => f.Filename).Distinct(StringComparer.Ordinal).Count() != files.Count)
            throw new ArgumentException("two files share a cpio entry name", nameof(files));
        if (postInstall is not null)
        {
            CheckName(postInstall.Filename);
            CheckSha256(postInstall.Sha256);
            if (files.Any(f => f.Filename == postInstall.Filename)) throw new ArgumentException("the script and a file share a cpio entry name", nameof(postInstall));
        }
        if (selection is not null)
        {
            Identifier(selection.Set, "selection set");
            Identifier(selection.Mode, "selection mode");
        }
        Version = version;
        Description = description;
        HardwareCompatibility = hardwareCompatibility;
        Files = files;
        Selection = selection;
        PostInstall = postInstall;
    }

    public string Version { get; }
    public string Description { get; }
    public EquatableList<string> HardwareCompatibility { get; }
    public EquatableList<SwuFile> Files { get; }
    public SwuSelection? Selection { get; }
    public SwuScript? PostInstall { get; }

    /// <summary>The manifest text (UTF-8 of ASCII, LF line ends): exactly what is signed and stored as the first cpio entry.</summary>
    public byte[] ToBytes()
    {
        var text = new StringBuilder();
        text.Append("software =\n{\n");
        text.Append("\tversion = \"").Append(Version).Append("\";\n");
        if (Description.Length > 0) text.Append("\tdescription = \"").Append(Description).Append("\";\n");
        text.Append("\thardware-compatibility: [ ").AppendJoin(", ", HardwareCompatibility.Select(r => $"\"{r}\"")).Append(" ];\n");
        var indent = "\t";
        if (Selection is { } s)
        {
            text.Append('\t').Append(s.Set).Append(": {\n\t\t").Append(s.Mode).Append(": {\n");
            indent = "\t\t\t";
        }
        text.Append(indent).Append("files: (\n");
        for (var i = 0; i < Files.Count; i++)
        {
            var f = Files[i];
            text.Append(indent).Append("\t{\n");
            text.Append(indent).Append("\t\tfilename = \"").Append(f.Filename).Append("\";\n");
            text.Append(indent).Append("\t\tpath = \"").Append(f.Path).Append("\";\n");
            text.Append(indent).Append("\t\ttype = \"rawfile\";\n");
            text.Append(indent).Append("\t\tsha256 = \"").Append(f.Sha256).Append("\";\n");
            if (f.AtomicInstall) text.Append(indent).Append("\t\tproperties: { atomic-install = \"true\"; };\n");
            text.Append(indent).Append("\t}").Append(i + 1 < Files.Count ? "," : "").Append('\n');
        }
        text.Append(indent).Append(");\n");
        if (PostInstall is { } script)
        {
            text.Append(indent).Append("scripts: (\n");
            text.Append(indent).Append("\t{\n");
            text.Append(indent).Append("\t\tfilename = \"").Append(script.Filename).Append("\";\n");
            text.Append(indent).Append("\t\ttype = \"postinstall\";\n");
            text.Append(indent).Append("\t\tsha256 = \"").Append(script.Sha256).Append("\";\n");
            text.Append(indent).Append("\t}\n");
            text.Append(indent).Append(");\n");
        }
        if (Selection is not null) text.Append("\t\t};\n\t};\n");
        text.Append("};\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static void Check(SwuFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        CheckName(file.Filename);
        Value(file.Path, "path", allowEmpty: false);
        if (!file.Path.StartsWith('/') || file.Path.EndsWith('/') || file.Path.Split('/').Any(s => s is "." or ".."))
            throw new ArgumentException($"'{file.Path}' is not an absolute file path without '.' or '..' segments", nameof(file));
        CheckSha256(file.Sha256);
    }

    private static void CheckName(string filename)
    {
        Value(filename, "file name", allowEmpty: false);
        if (filename.Contains('/') || filename.Contains(' ') || filename is "." or ".." or "sw-description" or "sw-description.sig")
            throw new ArgumentException($"'{filename}' is not a plain payload name (no '/', no space, not the manifest's own names)");
    }

    private static void CheckSha256(string sha256)
    {
        if (sha256 is null || sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
            throw new ArgumentException($"'{sha256}' is not a lower-case hex SHA-256");
    }

    /// <summary>Printable ASCII without the two characters libconfig strings escape, bounded.</summary>
    private static void Value(string? value, string what, bool allowEmpty)
    {
        if (value is null || (!allowEmpty && value.Length == 0))
            throw new ArgumentException($"the {what} is empty");
        if (value.Length > MaxValueLength) throw new ArgumentException($"the {what} is {value.Length} characters, above {MaxValueLength}");
        if (value.Any(c => c is < ' ' or > '~' or '"' or '\\'))
            throw new ArgumentException($"the {what} '{value}' holds a character outside printable ASCII, a quote or a backslash");
    }

    /// <summary>A libconfig setting name: a letter, then letters, digits, '-', '_'.</summary>
    private static void Identifier(string? value, string what)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 64 || !char.IsAsciiLetter(value[0]) || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"the {what} '{value}' is not a libconfig name (a letter, then letters, digits, '-' or '_')");
    }
}
