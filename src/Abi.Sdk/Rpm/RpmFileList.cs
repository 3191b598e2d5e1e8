using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text;

namespace Abi.Sdk.Rpm;

/// <summary>Builds the file list from the header's parallel arrays, as rpm's <c>rpmfilesNew</c> does.</summary>
/// <remarks>
/// The arrays are read in place (<see cref="RpmStringColumn"/>, <see cref="RpmIntegerColumn"/>): one NUL scan per
/// string array, no intermediate arrays of values, each directory and class-dictionary string decoded once, a path
/// built in one string from its directory and the base name's bytes, and owner, group, language and capability
/// strings shared between the files that repeat them.
/// </remarks>
internal static class RpmFileList
{
    public static ImmutableArray<RpmFile> Build(RpmPackage package)
    {
        var h = package.Header;
        // Paths are built in the file loop below, each in one string from its directory (decoded once) and base name.
        bool compressed = h.TryGetStrings(RpmTag.BaseNames, out var baseNames);
        RpmStringColumn dirNames = default;
        RpmIntegerColumn dirIndexes = default;
        string?[] dirStrings = [];
        if (compressed)
        {
            h.TryGetStrings(RpmTag.DirNames, out dirNames);
            dirStrings = new string?[dirNames.Count];
            dirIndexes = Array(h, RpmTag.DirIndexes, baseNames.Count, required: true);
            // Checked before the other arrays, so that a damaged package is refused for the same fault as before.
            for (int i = 0; i < dirIndexes.Count; i++)
            {
                long d = dirIndexes[i];
                if (d < 0 || d >= dirNames.Count)
                {
                    RpmThrow.Format(h.FileName, h.DataFileOffset((int)RpmTag.DirIndexes) + (4L * i), $"file {i}: directory index {d} is outside the {dirNames.Count} DIRNAMES");
                }
            }
        }
        else
        {
            h.TryGetStrings(RpmTag.OldFileNames, out baseNames);
        }

        int count = baseNames.Count;
        if (count == 0)
        {
            return [];
        }

        var sizes = h.Contains(RpmTag.LongFileSizes) ? Array(h, RpmTag.LongFileSizes, count) : Array(h, RpmTag.FileSizes, count);
        var modes = Array(h, RpmTag.FileModes, count);
        var flags = Array(h, RpmTag.FileFlags, count);
        var digests = Strings(h, RpmTag.FileDigests, count);
        var links = Strings(h, RpmTag.FileLinkTos, count);
        var users = Strings(h, RpmTag.FileUserName, count);
        var groups = Strings(h, RpmTag.FileGroupName, count);
        var mtimes = Array(h, RpmTag.FileMtimes, count);
        var rdevs = Array(h, RpmTag.FileRdevs, count);
        var devices = Array(h, RpmTag.FileDevices, count);
        var inodes = Array(h, RpmTag.FileInodes, count);
        var langs = Strings(h, RpmTag.FileLangs, count);
        var colors = Array(h, RpmTag.FileColors, count);
        var classes = Array(h, RpmTag.FileClass, count);
        h.TryGetStrings(RpmTag.ClassDict, out var classDict);
        var classStrings = new string?[classDict.Count];
        var caps = Strings(h, RpmTag.FileCaps, count);
        var verify = Array(h, RpmTag.FileVerifyFlags, count);
        // rpm reads the per-file dependency indexes by file index without checking their length; arrays that are
        // longer than the file list occur in real packages (re-signed ones), so only too-short arrays are ignored.
        h.TryGetIntegers(RpmTag.FileDependsX, out var dependsX);
        h.TryGetIntegers(RpmTag.FileDependsN, out var dependsN);
        bool hasDepends = dependsX.Count >= count && dependsN.Count >= count;
        h.TryGetIntegers(RpmTag.DependsDict, out var dependsDict);
        var algorithm = (RpmDigestAlgorithm)(h.GetInteger(RpmTag.FileDigestAlgo) ?? (long)RpmDigestAlgorithm.Md5);

        // The package-level lists the per-file entries index, each read once when first needed (not once per entry).
        ImmutableArray<RpmDependency> provides = default, requires = default;
        var shared = new SharedLists();
        int userAt = 0, groupAt = 0, langAt = 0, capAt = 0;
        string? user = null, group = null, lang = null, cap = null;
        var files = new RpmFile[count];
        for (int i = 0; i < count; i++)
        {
            // The path's bytes as the header stores them (rpm prints them raw), as slices of the header.
            string path;
            ReadOnlyMemory<byte> dirBytes = default, baseBytes = baseNames.Memory(i);
            if (compressed)
            {
                int d = (int)dirIndexes[i];
                var dir = dirStrings[d] ??= dirNames.Decode((int)d);
                path = baseNames.IsAscii ? Concat(dir, baseBytes) : dir + baseNames.Decode(i);
                dirBytes = dirNames.Memory(d);
            }
            else
            {
                path = baseNames.Decode(i);
            }

            string? fileClass = null;
            long mode = modes.IsEmpty ? 0 : modes[i];
            string? link = links.Count == 0 || links.Span(i).IsEmpty ? null : links.Decode(i);
            if (!classes.IsEmpty && classes[i] < classDict.Count && !classDict.Span((int)classes[i]).IsEmpty)
            {
                int c = (int)classes[i];
                fileClass = classStrings[c] ??= classDict.Decode(c);
            }
            else if (!modes.IsEmpty && (mode & 0xf000) == 0xa000 && links.Count != 0)
            {
                // Without a recorded class rpm reports these (its FILECLASS query tag); packages often omit the dictionary.
                fileClass = $"symbolic link to `{link ?? string.Empty}'";
            }
            else if (!modes.IsEmpty && (mode & 0xf000) == 0x4000)
            {
                fileClass = "directory";
            }

            var deps = ImmutableArray<RpmDependency>.Empty;
            if (hasDepends && dependsN[i] > 0)
            {
                deps = shared.Find(dependsDict, dependsX[i], dependsN[i]);
                if (deps.IsDefault)
                {
                    deps = FileDependencies(package, ref provides, ref requires, dependsDict, dependsX[i], dependsN[i]);
                    shared.Add(dependsDict, dependsX[i], dependsN[i], deps);
                }
            }

            string? digest = digests.Count == 0 || digests.Span(i).IsEmpty ? null : digests.Decode(i);
            files[i] = new RpmFile(
                i,
                path,
                sizes.IsEmpty ? 0 : sizes[i],
                (uint)mode,
                flags.IsEmpty ? RpmFileFlags.None : (RpmFileFlags)(uint)flags[i],
                digest,
                digest is null ? RpmDigestAlgorithm.None : algorithm,
                link,
                users.Count == 0 ? null : users.DecodeRepeated(i, ref userAt, ref user),
                groups.Count == 0 ? null : groups.DecodeRepeated(i, ref groupAt, ref group),
                mtimes.IsEmpty ? 0 : mtimes[i],
                rdevs.IsEmpty ? 0 : (uint)rdevs[i],
                devices.IsEmpty ? 0 : (uint)devices[i],
                inodes.IsEmpty ? 0 : (uint)inodes[i],
                langs.Count == 0 || langs.Span(i).IsEmpty ? null : langs.DecodeRepeated(i, ref langAt, ref lang),
                fileClass,
                colors.IsEmpty ? 0 : (uint)colors[i],
                caps.Count == 0 || caps.Span(i).IsEmpty ? null : caps.DecodeRepeated(i, ref capAt, ref cap),
                verify.IsEmpty ? 0 : (uint)verify[i],
                deps)
            {
                DirectoryBytes = dirBytes,
                BaseNameBytes = baseBytes,
            };
        }

        return ImmutableCollectionsMarshal.AsImmutableArray(files);
    }

    /// <summary>The provides and requires DEPENDSDICT entries <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> name.</summary>
    private static ImmutableArray<RpmDependency> FileDependencies(RpmPackage package, ref ImmutableArray<RpmDependency> provides, ref ImmutableArray<RpmDependency> requires, RpmIntegerColumn dictionary, long first, long count)
    {
        long end = Math.Min(first + count, dictionary.Count);
        if (first >= end)
        {
            return ImmutableArray<RpmDependency>.Empty;
        }

        var result = new RpmDependency[end - first];
        int n = 0;
        for (long k = first; k < end; k++)
        {
            long v = dictionary[(int)k];
            char type = (char)((v >> 24) & 0xff);
            int index = (int)(v & 0xffffff);
            var list = type switch
            {
                'P' => provides.IsDefault ? provides = package.Provides : provides,
                'R' => requires.IsDefault ? requires = package.Requires : requires,
                _ => ImmutableArray<RpmDependency>.Empty,
            };
            if (index < list.Length)
            {
                result[n++] = list[index];
            }
        }

        if (n == 0)
        {
            return ImmutableArray<RpmDependency>.Empty;
        }

        if (n < result.Length)
        {
            System.Array.Resize(ref result, n);
        }

        return ImmutableCollectionsMarshal.AsImmutableArray(result);
    }

    /// <summary>
    /// The per-file dependency lists built so far, so that files whose DEPENDSDICT ranges hold the same entries (the
    /// executables of one package often require the same libraries and versions) share one list. Only the last few
    /// distinct lists are compared, so the cost stays linear in the number of files.
    /// </summary>
    private struct SharedLists
    {
        private const int Size = 8;
        private (long First, long Count, ImmutableArray<RpmDependency> List)[]? _recent;
        private int _next;

        public readonly ImmutableArray<RpmDependency> Find(RpmIntegerColumn dictionary, long first, long count)
        {
            if (_recent is null)
            {
                return default;
            }

            foreach (var (f, c, list) in _recent)
            {
                if (c == count && !list.IsDefault && dictionary.SameValues((int)f, (int)first, (int)count))
                {
                    return list;
                }
            }

            return default;
        }

        public void Add(RpmIntegerColumn dictionary, long first, long count, ImmutableArray<RpmDependency> list)
        {
            if (first < 0 || first + count > dictionary.Count)
            {
                return; // a range past the dictionary's end (its list was cut short): never compared
            }

            _recent ??= new (long, long, ImmutableArray<RpmDependency>)[Size];
            _recent[_next] = (first, count, list);
            _next = (_next + 1) % Size;
        }
    }

    /// <summary>A directory name followed by an ASCII base name, in one string.</summary>
    private static string Concat(string dir, ReadOnlyMemory<byte> name) =>
        string.Create(dir.Length + name.Length, (dir, name), static (chars, state) =>
        {
            state.dir.CopyTo(chars);
            Encoding.Latin1.GetChars(state.name.Span, chars[state.dir.Length..]);
        });

    private static RpmIntegerColumn Array(RpmHeader h, RpmTag tag, int count, bool required = false)
    {
        h.TryGetIntegers(tag, out var values);
        if ((values.IsEmpty && required) || (!values.IsEmpty && values.Count != count))
        {
            RpmThrow.Format(h.FileName, h.DataFileOffset((int)tag), $"{tag} has {values.Count} entries for {count} files");
        }

        return values;
    }

    private static RpmStringColumn Strings(RpmHeader h, RpmTag tag, int count)
    {
        h.TryGetStrings(tag, out var values);
        if (values.Count != 0 && values.Count != count)
        {
            RpmThrow.Format(h.FileName, h.DataFileOffset((int)tag), $"{tag} has {values.Count} entries for {count} files");
        }

        return values;
    }
}
