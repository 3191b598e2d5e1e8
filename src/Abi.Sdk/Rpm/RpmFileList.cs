using System.Buffers;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
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
    /// <summary>Files per block: the integer columns of one block are byte-swapped into stack memory, one pass per column.</summary>
    private const int Block = 64;

    /// <summary>The integer columns converted per block (rows of <see cref="Block"/> values in one stack buffer).</summary>
    private const int Columns = 12;

    [SkipLocalsInit]
    public static ImmutableArray<RpmFile> Build(RpmPackage package)
    {
        var h = package.Header;
        var files = Paths(h);
        int count = files.Length;
        if (count == 0)
        {
            return [];
        }

        var sizes = h.Contains(RpmTag.LongFileSizes) ? Array(h, RpmTag.LongFileSizes, count) : Array(h, RpmTag.FileSizes, count);
        var modes = Array(h, RpmTag.FileModes, count);
        var flags = Array(h, RpmTag.FileFlags, count);
        var mtimes = Array(h, RpmTag.FileMtimes, count);
        var rdevs = Array(h, RpmTag.FileRdevs, count);
        var devices = Array(h, RpmTag.FileDevices, count);
        var inodes = Array(h, RpmTag.FileInodes, count);
        var colors = Array(h, RpmTag.FileColors, count);
        var classes = Array(h, RpmTag.FileClass, count);
        var verify = Array(h, RpmTag.FileVerifyFlags, count);
        var digests = Strings(h, RpmTag.FileDigests, count);
        var links = Strings(h, RpmTag.FileLinkTos, count);
        var users = Strings(h, RpmTag.FileUserName, count);
        var groups = Strings(h, RpmTag.FileGroupName, count);
        var langs = Strings(h, RpmTag.FileLangs, count);
        var caps = Strings(h, RpmTag.FileCaps, count);
        h.TryGetStrings(RpmTag.ClassDict, out var classDict);
        var classStrings = new string?[classDict.Count];
        // rpm reads the per-file dependency indexes by file index without checking their length; arrays that are
        // longer than the file list occur in real packages (re-signed ones), so only too-short arrays are ignored.
        h.TryGetIntegers(RpmTag.FileDependsX, out var dependsX);
        h.TryGetIntegers(RpmTag.FileDependsN, out var dependsN);
        bool hasDepends = dependsX.Count >= count && dependsN.Count >= count;
        h.TryGetIntegers(RpmTag.DependsDict, out var dependsDict);
        var algorithm = (RpmDigestAlgorithm)(h.GetInteger(RpmTag.FileDigestAlgo) ?? (long)RpmDigestAlgorithm.Md5);

        // The package-level lists the per-file entries index, each read once when first needed (not once per entry).
        RpmDependency[]? provides = null, requires = null;
        int userAt = 0, groupAt = 0, langAt = 0, capAt = 0;
        string? user = null, group = null, lang = null, cap = null;
        var empty = ImmutableArray<RpmDependency>.Empty;
        // The per-file dependency indexes byte-swapped once (a pooled buffer: its size follows the header's); 64-bit
        // columns, which rpm never writes, take the general path.
        bool fastDepends = hasDepends && !dependsX.IsInt64 && !dependsN.IsInt64 && !dependsDict.IsInt64;
        uint[]? dictionary = null;
        if (fastDepends)
        {
            dictionary = ArrayPool<uint>.Shared.Rent(dependsDict.Count);
            dependsDict.CopyLow32(0, dictionary.AsSpan(0, dependsDict.Count));
        }

        Span<uint> buffer = stackalloc uint[Block * Columns];
        for (int first = 0; first < count; first += Block)
        {
            int n = Math.Min(Block, count - first);
            var size = Convert(sizes, first, buffer.Slice(0 * Block, n));
            var mode = Convert(modes, first, buffer.Slice(1 * Block, n));
            var flag = Convert(flags, first, buffer.Slice(2 * Block, n));
            var mtime = Convert(mtimes, first, buffer.Slice(3 * Block, n));
            var rdev = Convert(rdevs, first, buffer.Slice(4 * Block, n));
            var device = Convert(devices, first, buffer.Slice(5 * Block, n));
            var inode = Convert(inodes, first, buffer.Slice(6 * Block, n));
            var color = Convert(colors, first, buffer.Slice(7 * Block, n));
            var fileClass = Convert(classes, first, buffer.Slice(8 * Block, n));
            var verifyFlags = Convert(verify, first, buffer.Slice(9 * Block, n));
            var dependsFirst = fastDepends ? Convert(dependsX, first, buffer.Slice(10 * Block, n)) : default;
            var dependsCount = fastDepends ? Convert(dependsN, first, buffer.Slice(11 * Block, n)) : default;
            for (int k = 0; k < n; k++)
            {
                int i = first + k;
                var f = files[i];
                f.Size = sizes.IsInt64 ? sizes[i] : size[k];
                f.Mode = mode[k];
                f.Flags = (RpmFileFlags)flag[k];
                f.ModificationTime = mtimes.IsInt64 ? mtimes[i] : mtime[k];
                f.Rdev = rdev[k];
                f.Device = device[k];
                f.Inode = inode[k];
                f.Color = color[k];
                f.VerifyFlags = verifyFlags[k];

                string? link = links.Count == 0 || links.Length(i) == 0 ? null : links.Decode(i);
                f.LinkTarget = link;
                if (!classes.IsEmpty && fileClass[k] < (uint)classDict.Count && classDict.Length((int)fileClass[k]) != 0)
                {
                    int c = (int)fileClass[k];
                    f.Class = classStrings[c] ??= classDict.Decode(c);
                }
                else if (!modes.IsEmpty && (mode[k] & 0xf000) == 0xa000 && links.Count != 0)
                {
                    // Without a recorded class rpm reports these (its FILECLASS query tag); packages often omit the dictionary.
                    f.Class = $"symbolic link to `{link ?? string.Empty}'";
                }
                else if (!modes.IsEmpty && (mode[k] & 0xf000) == 0x4000)
                {
                    f.Class = "directory";
                }

                if (fastDepends)
                {
                    if (dependsCount[k] != 0)
                    {
                        f.Dependencies = FileDependencies(package, ref provides, ref requires, dictionary.AsSpan(0, dependsDict.Count), dependsFirst[k], dependsCount[k]);
                    }
                }
                else if (hasDepends && dependsN[i] > 0)
                {
                    f.Dependencies = FileDependencies(package, ref provides, ref requires, dependsDict, dependsX[i], dependsN[i]);
                }
                if (digests.Count != 0 && digests.Length(i) != 0)
                {
                    f.Digest = digests.Decode(i);
                    f.DigestAlgorithm = algorithm;
                }

                if (users.Count != 0)
                {
                    f.UserName = users.DecodeRepeated(i, ref userAt, ref user);
                }

                if (groups.Count != 0)
                {
                    f.GroupName = groups.DecodeRepeated(i, ref groupAt, ref group);
                }

                if (langs.Count != 0 && langs.Length(i) != 0)
                {
                    f.Language = langs.DecodeRepeated(i, ref langAt, ref lang);
                }

                if (caps.Count != 0 && caps.Length(i) != 0)
                {
                    f.Capabilities = caps.DecodeRepeated(i, ref capAt, ref cap);
                }
            }
        }

        if (dictionary is not null)
        {
            ArrayPool<uint>.Shared.Return(dictionary);
        }

        return ImmutableCollectionsMarshal.AsImmutableArray(files);
    }

    /// <summary>
    /// The files with their paths (BASENAMES, DIRNAMES and DIRINDEXES, or the legacy OLDFILENAMES), each path one
    /// string built from its directory (decoded once per directory) and the base name's bytes.
    /// </summary>
    private static RpmFile[] Paths(RpmHeader h)
    {
        if (h.TryGetStrings(RpmTag.BaseNames, out var baseNames))
        {
            int n = baseNames.Count;
            h.TryGetStrings(RpmTag.DirNames, out var dirNames);
            var dirStrings = new string?[dirNames.Count];
            var dirIndexes = Array(h, RpmTag.DirIndexes, n, required: true);
            var files = new RpmFile[n];
            var blob = baseNames.Blob;
            // 32-bit indexes (what rpm writes) byte-swapped in one pass; a 64-bit column is read value by value.
            uint[]? swapped = null;
            if (!dirIndexes.IsInt64)
            {
                swapped = ArrayPool<uint>.Shared.Rent(n);
                dirIndexes.CopyLow32(0, swapped.AsSpan(0, n));
            }

            for (int i = 0; i < files.Length; i++)
            {
                long d = swapped is null ? dirIndexes[i] : swapped[i];
                if (d < 0 || d >= dirNames.Count)
                {
                    RpmThrow.Format(h.FileName, h.DataFileOffset((int)RpmTag.DirIndexes) + (4L * i), $"file {i}: directory index {d} is outside the {dirNames.Count} DIRNAMES");
                }

                var dir = dirStrings[d] ??= dirNames.DecodeInterned((int)d);
                int start = baseNames.Start(i), length = baseNames.Length(i);
                var file = new RpmFile(i, baseNames.IsAscii ? Concat(dir, new ReadOnlyMemory<byte>(blob, start, length)) : dir + baseNames.Decode(i));
                file.SetPathBytes(blob, dirNames.Start((int)d), dirNames.Length((int)d), start, length);
                files[i] = file;
            }

            if (swapped is not null)
            {
                ArrayPool<uint>.Shared.Return(swapped);
            }

            return files;
        }

        h.TryGetStrings(RpmTag.OldFileNames, out var oldNames);
        var old = new RpmFile[oldNames.Count];
        for (int i = 0; i < old.Length; i++)
        {
            var file = new RpmFile(i, oldNames.Decode(i));
            file.SetPathBytes(oldNames.Blob, 0, 0, oldNames.Start(i), oldNames.Length(i));
            old[i] = file;
        }

        return old;
    }

    /// <summary>Values <paramref name="first"/> onwards of a column (zeros for an absent one) in <paramref name="dest"/>.</summary>
    private static ReadOnlySpan<uint> Convert(RpmIntegerColumn column, int first, Span<uint> dest)
    {
        if (column.IsEmpty)
        {
            dest.Clear();
        }
        else
        {
            column.CopyLow32(first, dest);
        }

        return dest;
    }

    /// <summary><see cref="FileDependencies(RpmPackage, ref RpmDependency[], ref RpmDependency[], RpmIntegerColumn, long, long)"/> over the byte-swapped dictionary.</summary>
    private static ImmutableArray<RpmDependency> FileDependencies(RpmPackage package, ref RpmDependency[]? provides, ref RpmDependency[]? requires, ReadOnlySpan<uint> dictionary, uint first, uint count)
    {
        ulong end = Math.Min((ulong)first + count, (ulong)dictionary.Length);
        if (first >= end)
        {
            return ImmutableArray<RpmDependency>.Empty;
        }

        var entries = dictionary[(int)first..(int)end];
        var result = new RpmDependency[entries.Length];
        int n = 0;
        foreach (uint v in entries)
        {
            if (Entry(package, ref provides, ref requires, v) is { } dependency)
            {
                result[n++] = dependency;
            }
        }

        return Filled(result, n);
    }

    /// <summary>The provides and requires DEPENDSDICT entries <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> name.</summary>
    private static ImmutableArray<RpmDependency> FileDependencies(RpmPackage package, ref RpmDependency[]? provides, ref RpmDependency[]? requires, RpmIntegerColumn dictionary, long first, long count)
    {
        long end = Math.Min(first + count, dictionary.Count);
        if (first >= end)
        {
            return ImmutableArray<RpmDependency>.Empty;
        }

        var result = new RpmDependency[end - first];
        int n = 0;
        for (int k = (int)first; k < end; k++)
        {
            if (Entry(package, ref provides, ref requires, (uint)dictionary[k]) is { } dependency)
            {
                result[n++] = dependency;
            }
        }

        return Filled(result, n);
    }

    /// <summary>The dependency a DEPENDSDICT entry names (its top byte 'P' or 'R', its low 24 bits an index), or null when it names none.</summary>
    private static RpmDependency? Entry(RpmPackage package, ref RpmDependency[]? provides, ref RpmDependency[]? requires, uint entry)
    {
        int index = (int)(entry & 0xffffff);
        var list = (entry >> 24) switch
        {
            'P' => provides ??= ImmutableCollectionsMarshal.AsArray(package.Provides)!,
            'R' => requires ??= ImmutableCollectionsMarshal.AsArray(package.Requires)!,
            _ => [],
        };
        return (uint)index < (uint)list.Length ? list[index] : null;
    }

    /// <summary>The first <paramref name="n"/> dependencies of <paramref name="result"/>, without copying when they fill it.</summary>
    private static ImmutableArray<RpmDependency> Filled(RpmDependency[] result, int n)
    {
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
