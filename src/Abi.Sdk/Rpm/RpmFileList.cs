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
        string[] paths;
        // The path's bytes as the header stores them (rpm prints them raw), as slices of the header.
        ReadOnlyMemory<byte>[] dirBytes, baseBytes;
        if (h.TryGetStrings(RpmTag.BaseNames, out var baseNames))
        {
            int n = baseNames.Count;
            h.TryGetStrings(RpmTag.DirNames, out var dirNames);
            var dirStrings = new string?[dirNames.Count];
            var dirIndexes = Array(h, RpmTag.DirIndexes, n, required: true);
            baseBytes = new ReadOnlyMemory<byte>[n];
            dirBytes = new ReadOnlyMemory<byte>[n];
            paths = new string[n];
            for (int i = 0; i < n; i++)
            {
                long d = dirIndexes[i];
                if (d < 0 || d >= dirNames.Count)
                {
                    RpmThrow.Format(h.FileName, h.DataFileOffset((int)RpmTag.DirIndexes) + (4L * i), $"file {i}: directory index {d} is outside the {dirNames.Count} DIRNAMES");
                }

                var dir = dirStrings[d] ??= dirNames.DecodeInterned((int)d);
                var name = baseNames.Memory(i);
                paths[i] = baseNames.IsAscii ? Concat(dir, name) : dir + baseNames.Decode(i);
                baseBytes[i] = name;
                dirBytes[i] = dirNames.Memory((int)d);
            }
        }
        else
        {
            h.TryGetStrings(RpmTag.OldFileNames, out var oldNames);
            paths = new string[oldNames.Count];
            baseBytes = new ReadOnlyMemory<byte>[oldNames.Count];
            for (int i = 0; i < paths.Length; i++)
            {
                paths[i] = oldNames.Decode(i);
                baseBytes[i] = oldNames.Memory(i);
            }

            dirBytes = new ReadOnlyMemory<byte>[paths.Length];
        }

        int count = paths.Length;
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
        int userAt = 0, groupAt = 0, langAt = 0, capAt = 0;
        string? user = null, group = null, lang = null, cap = null;
        var files = new RpmFile[count];
        for (int i = 0; i < count; i++)
        {
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
                deps = FileDependencies(package, ref provides, ref requires, dependsDict, dependsX[i], dependsN[i]);
            }

            string? digest = digests.Count == 0 || digests.Span(i).IsEmpty ? null : digests.Decode(i);
            files[i] = new RpmFile(
                i,
                paths[i],
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
                DirectoryBytes = dirBytes[i],
                BaseNameBytes = baseBytes[i],
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
