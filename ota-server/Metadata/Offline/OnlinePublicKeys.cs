using System.Globalization;
using System.Text.RegularExpressions;
using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.Primitives;

namespace AtymSecure.OtaMetadata.Offline;

/// <summary>
/// The server's online public keys as the operator receives them: the <c>ROLE.N.pub</c> files of the server's
/// <c>DATA/tuf/keys</c> (copied, or read in place on a one-machine setup); the highest N of a role is its newest key.
/// </summary>
public static partial class OnlinePublicKeys
{
    public static TufKey Newest(string folder, OnlineRole role)
    {
        var newest = Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, role.Name() + ".*.pub")
                .Select(p => (Path: p, Match: PubName().Match(Path.GetFileName(p))))
                .Where(f => f.Match.Success && f.Match.Groups["role"].Value == role.Name())
                .OrderBy(f => int.Parse(f.Match.Groups["n"].Value, CultureInfo.InvariantCulture))
                .LastOrDefault().Path
            : null;
        if (newest is null)
            throw new ProblemException("online keys", new Problem("online-key-missing", folder,
                $"no {role.Name()}.N.pub in {folder}: copy the server's DATA/tuf/keys/*.pub (or GET /api/v1/tuf/online-keys)"));
        return TufKey.From(VerificationKey.FromFile(newest));
    }

    [GeneratedRegex(@"^(?<role>[a-z-]+)\.(?<n>[1-9][0-9]{0,8})\.pub$", RegexOptions.CultureInvariant)]
    private static partial Regex PubName();
}
