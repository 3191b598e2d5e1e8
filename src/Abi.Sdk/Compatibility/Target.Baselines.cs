using System.Text;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Compatibility;

/// <content>A target made of baselines: each library's ABI surface stands in for the library.</content>
public sealed partial class Target
{
    /// <summary>
    /// A system described by baselines (<see cref="AbiSurface"/>s read with <see cref="AbiSurface.Open(string)"/> from
    /// Abi.Sdk JSON baselines, ABIXML or ELF files): each becomes a stub library (<see cref="AbiStubLibrary"/>), built
    /// when the loader model first needs it, at <c>/usr/lib64/NAME</c> (ELF64) or <c>/usr/lib/NAME</c> (ELF32), NAME
    /// being the SONAME or else the file name; an <c>/etc/ld.so.conf</c> names those folders so the modelled
    /// ld.so.cache finds them. <c>/lib64</c> and <c>/lib</c> link to them as on merged-/usr systems, so the program
    /// interpreter is found when a baseline of it (for example <c>ld-linux-x86-64.so.2</c>) is given. When two
    /// baselines have the same name the later one wins.
    /// </summary>
    /// <remarks>
    /// A baseline says what a library provides, not what it needs: its undefined symbols and version requirements are
    /// unknown, so only what the checked binary references is verified, plus the DT_NEEDED chains between baseline
    /// libraries (a library a baseline needs must be a baseline too, else it is missing).
    /// </remarks>
    /// <param name="libraries">The surfaces of the target's libraries.</param>
    /// <param name="description">What the target is, for messages.</param>
    /// <returns>The target.</returns>
    /// <exception cref="ArgumentException">A surface has neither a SONAME nor a file name, or its name is not a plain file name (see <see cref="AbiStubLibrary.GetLibraryName"/>).</exception>
    /// <exception cref="AbiBaselineFormatException">When a stub is first needed: its surface cannot be a loadable ELF file (see <see cref="AbiStubLibrary.Create"/>).</exception>
    public static Target FromBaselines(IEnumerable<AbiSurface> libraries, string description = "baselines")
    {
        ArgumentNullException.ThrowIfNull(libraries);
        var files = new List<TargetFile>();
        var folders = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var surface in libraries)
        {
            ArgumentNullException.ThrowIfNull(surface, nameof(libraries));
            var folder = surface.Class == ElfClass.Elf32 ? "/usr/lib" : "/usr/lib64";
            var path = $"{folder}/{AbiStubLibrary.GetLibraryName(surface)}";
            folders.Add(folder);

            // Built at most once, when first read; a later baseline of the same path replaces this entry.
            var stub = new Lazy<ReadOnlyMemory<byte>>(() => AbiStubLibrary.Create(surface), LazyThreadSafetyMode.ExecutionAndPublication);
            files.Add(TargetFile.FromOpener(path, () => stub.Value));

            // PT_INTERP names the dynamic loader by an absolute path; ELF64 ones live in /lib on some machines
            // (/lib/ld-linux-aarch64.so.1), so a loader's stub is in both folders.
            var name = path[(folder.Length + 1)..];
            if (IsLoaderName(name) && surface.Class != ElfClass.Elf32)
            {
                files.Add(TargetFile.Symlink($"/usr/lib/{name}", $"../lib64/{name}"));
            }
        }

        // A merged-/usr layout, as current RHEL, Fedora, SUSE and Debian have: PT_INTERP paths such as
        // /lib64/ld-linux-x86-64.so.2 reach the stubs.
        files.Insert(0, TargetFile.Symlink("/lib64", "usr/lib64"));
        files.Insert(1, TargetFile.Symlink("/lib", "usr/lib"));

        var conf = new StringBuilder("# folders of the baseline stubs\n");
        foreach (var folder in folders)
        {
            conf.Append(folder).Append('\n');
        }

        files.Add(TargetFile.FromBytes("/etc/ld.so.conf", Encoding.UTF8.GetBytes(conf.ToString())));
        return FromFiles(files, description);
    }

    /// <summary>The names glibc gives its dynamic loader: ld-linux*.so.N, ld64.so.N, ld.so.1, ld-musl-*.</summary>
    private static bool IsLoaderName(string name)
        => name.StartsWith("ld-", StringComparison.Ordinal) || name.StartsWith("ld64.so.", StringComparison.Ordinal) || name == "ld.so.1";
}
