namespace AtymSecure.ObjectStore;

/// <summary>
/// What an object key may be here: 1–900 bytes of printable ASCII without '\', no empty, "." or ".." segment and no
/// leading '/'. Stricter than S3 (which takes any UTF-8), so a key never means something different on another server or
/// as a file path, and nothing hostile (a control character, a traversal) reaches a request line.
/// </summary>
public static class ObjectKeys
{
    public const string Rule = "1-900 printable ASCII characters, no '\\', no empty, '.' or '..' segments";

    public static bool IsValid(string? key)
    {
        if (key is null || key.Length is 0 or > 900) return false;
        foreach (var c in key)
            if (c is < '!' or > '~' or '\\') return false;
        foreach (var segment in key.TrimEnd('/').Split('/'))
            if (segment is "" or "." or "..") return false;
        return true;
    }

    /// <summary>Throws <see cref="ArgumentException"/> for a key that breaks <see cref="Rule"/> (a programming error: keys are built, not received).</summary>
    public static void Require(string key, string parameter = "key")
    {
        if (!IsValid(key)) throw new ArgumentException($"'{key}' is not a valid object key ({Rule})", parameter);
    }
}
