namespace Abi.Sdk.Dwarf;

/// <summary>
/// Debug files that are not a folder on disk, addressed by the absolute path they would be installed at
/// (<c>/usr/lib/debug/.build-id/NN/REST.debug</c>, <c>/usr/lib/debug/.dwz/NAME</c>): for example the payloads of
/// <c>-debuginfo</c> packages read in memory (<c>Abi.Sdk.Distribution.RpmDebugFiles</c>). <see cref="DebugInfoLocator"/>
/// looks a file's build-id, then its <c>.gnu_debuglink</c> (CRC-32 checked), up in it, and a <see cref="DwarfFile"/> opened from it finds its dwz supplementary file in it.
/// </summary>
public abstract class DebugFileSet
{
    /// <summary>The debug root the installed paths of debug files start with.</summary>
    public const string DebugRoot = "/usr/lib/debug";

    /// <summary>
    /// The content of the file installed at <paramref name="path"/>, symbolic links followed (inside the set).
    /// </summary>
    /// <param name="path">An absolute installed path.</param>
    /// <param name="content">The bytes.</param>
    /// <param name="resolvedPath">The path of the regular file the links led to.</param>
    /// <returns>False when the set has no such file.</returns>
    public abstract bool TryGetFile(string path, out ReadOnlyMemory<byte> content, out string resolvedPath);

    /// <summary>How messages name a file of the set (by default its path).</summary>
    /// <param name="path">An installed path.</param>
    /// <returns>The label.</returns>
    public virtual string Describe(string path) => path;

    /// <summary>Joins and normalizes installed paths the way the file system would (<c>..</c> stops at the root).</summary>
    /// <param name="directory">An absolute folder.</param>
    /// <param name="name">A name, relative to <paramref name="directory"/>, or absolute.</param>
    /// <returns>The absolute, normalized path.</returns>
    public static string Combine(string directory, string name)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(name);
        var parts = new List<string>();
        foreach (var part in (name.StartsWith('/') ? name : directory + "/" + name).Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        return "/" + string.Join('/', parts);
    }

    /// <summary>The installed path of the debug file for <paramref name="buildIdHex"/>.</summary>
    internal static string? BuildIdPath(string buildIdHex)
        => buildIdHex.Length > 2 ? $"{DebugRoot}/.build-id/{buildIdHex[..2]}/{buildIdHex[2..]}.debug" : null;

    /// <summary>The folder of an installed path.</summary>
    internal static string DirectoryOf(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }
}
