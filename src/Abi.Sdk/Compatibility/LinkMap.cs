namespace Abi.Sdk.Compatibility;

/// <summary>
/// One object loaded in a simulated process start, as glibc's <c>struct link_map</c>: the file, the names it answers to
/// (l_name, its SONAME, every DT_NEEDED name it was found under) and the object whose DT_NEEDED loaded it.
/// </summary>
internal sealed class LinkMap(DynamicObject surface, string name, string openedPath, TargetFileSystem fileSystem, LinkMap? loader, bool isMain)
{
    public DynamicObject Surface { get; } = surface;

    /// <summary>The file system the object was found in: where names relative to its <c>$ORIGIN</c> are searched.</summary>
    public TargetFileSystem FileSystem { get; } = fileSystem;

    /// <summary>$ORIGIN: the folder of the path the file was opened by (l_name), links not followed.</summary>
    public string Origin { get; } = LoaderRun.FolderOf(openedPath);

    /// <summary>The path the file was opened by (l_name), as the loader names it in its messages.</summary>
    public string OpenedPath { get; } = openedPath;
    public string Name { get; } = name;
    public LinkMap? Loader { get; } = loader;
    public bool IsMain { get; } = isMain;
    public bool InScope { get; set; }
    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
}
