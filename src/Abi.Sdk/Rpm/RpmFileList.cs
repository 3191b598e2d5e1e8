using System.Collections.Immutable;

namespace Abi.Sdk.Rpm;

/// <summary>Builds the file list from the header's parallel arrays, as rpm's <c>rpmfilesNew</c> does.</summary>
internal static class RpmFileList
{
    public static ImmutableArray<RpmFile> Build(RpmPackage package)
    {
        var h = package.Header;
        string[] paths;
        // The path's bytes as the header stores them (rpm prints them raw), as slices of the header.
        ReadOnlyMemory<byte>[] dirBytes, baseBytes;
        var baseNames = h.GetStringArray(RpmTag.BaseNames);
        if (!baseNames.IsEmpty)
        {
            var dirNames = h.GetStringArray(RpmTag.DirNames);
            var dirNameBytes = h.GetStringArrayBytes(RpmTag.DirNames);
            baseBytes = [.. h.GetStringArrayBytes(RpmTag.BaseNames)];
            dirBytes = new ReadOnlyMemory<byte>[baseNames.Length];
            var dirIndexes = Array(h, RpmTag.DirIndexes, baseNames.Length, required: true);
            paths = new string[baseNames.Length];
            for (int i = 0; i < baseNames.Length; i++)
            {
                long d = dirIndexes[i];
                if (d < 0 || d >= dirNames.Length)
                {
                    RpmThrow.Format(h.FileName, h.DataFileOffset((int)RpmTag.DirIndexes) + (4L * i), $"file {i}: directory index {d} is outside the {dirNames.Length} DIRNAMES");
                }

                paths[i] = dirNames[(int)d] + baseNames[i];
                dirBytes[i] = dirNameBytes[(int)d];
            }
        }
        else
        {
            paths = [.. h.GetStringArray(RpmTag.OldFileNames)];
            baseBytes = [.. h.GetStringArrayBytes(RpmTag.OldFileNames)];
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
        var classDict = h.GetStringArray(RpmTag.ClassDict);
        var caps = Strings(h, RpmTag.FileCaps, count);
        var verify = Array(h, RpmTag.FileVerifyFlags, count);
        // rpm reads the per-file dependency indexes by file index without checking their length; arrays that are
        // longer than the file list occur in real packages (re-signed ones), so only too-short arrays are ignored.
        var dependsX = h.GetIntegers(RpmTag.FileDependsX);
        var dependsN = h.GetIntegers(RpmTag.FileDependsN);
        if (dependsX.Length < count || dependsN.Length < count)
        {
            dependsX = dependsN = [];
        }

        var dependsDict = h.GetIntegers(RpmTag.DependsDict);
        var algorithm = (RpmDigestAlgorithm)(h.GetInteger(RpmTag.FileDigestAlgo) ?? (long)RpmDigestAlgorithm.Md5);

        var files = ImmutableArray.CreateBuilder<RpmFile>(count);
        for (int i = 0; i < count; i++)
        {
            string? fileClass = null;
            if (!classes.IsEmpty && classes[i] < classDict.Length && classDict[(int)classes[i]].Length > 0)
            {
                fileClass = classDict[(int)classes[i]];
            }
            else if (!modes.IsEmpty && (modes[i] & 0xf000) == 0xa000 && !links.IsEmpty)
            {
                // Without a recorded class rpm reports these (its FILECLASS query tag); packages often omit the dictionary.
                fileClass = $"symbolic link to `{links[i]}'";
            }
            else if (!modes.IsEmpty && (modes[i] & 0xf000) == 0x4000)
            {
                fileClass = "directory";
            }

            var deps = ImmutableArray<RpmDependency>.Empty;
            if (!dependsX.IsEmpty && !dependsN.IsEmpty && dependsN[i] > 0)
            {
                var builder = ImmutableArray.CreateBuilder<RpmDependency>();
                for (long k = dependsX[i]; k < dependsX[i] + dependsN[i] && k < dependsDict.Length; k++)
                {
                    long v = dependsDict[(int)k];
                    char type = (char)((v >> 24) & 0xff);
                    int index = (int)(v & 0xffffff);
                    var list = type switch
                    {
                        'P' => package.Provides,
                        'R' => package.Requires,
                        _ => ImmutableArray<RpmDependency>.Empty,
                    };
                    if (index < list.Length)
                    {
                        builder.Add(list[index]);
                    }
                }

                deps = builder.ToImmutable();
            }

            var digest = digests.IsEmpty || digests[i].Length == 0 ? null : digests[i];
            files.Add(new RpmFile(
                i,
                paths[i],
                sizes.IsEmpty ? 0 : sizes[i],
                modes.IsEmpty ? 0 : (uint)modes[i],
                flags.IsEmpty ? RpmFileFlags.None : (RpmFileFlags)(uint)flags[i],
                digest,
                digest is null ? RpmDigestAlgorithm.None : algorithm,
                links.IsEmpty || links[i].Length == 0 ? null : links[i],
                users.IsEmpty ? null : users[i],
                groups.IsEmpty ? null : groups[i],
                mtimes.IsEmpty ? 0 : mtimes[i],
                rdevs.IsEmpty ? 0 : (uint)rdevs[i],
                devices.IsEmpty ? 0 : (uint)devices[i],
                inodes.IsEmpty ? 0 : (uint)inodes[i],
                langs.IsEmpty || langs[i].Length == 0 ? null : langs[i],
                fileClass,
                colors.IsEmpty ? 0 : (uint)colors[i],
                caps.IsEmpty || caps[i].Length == 0 ? null : caps[i],
                verify.IsEmpty ? 0 : (uint)verify[i],
                deps)
            {
                DirectoryBytes = dirBytes[i],
                BaseNameBytes = baseBytes[i],
            });
        }

        return files.MoveToImmutable();
    }

    private static ImmutableArray<long> Array(RpmHeader h, RpmTag tag, int count, bool required = false)
    {
        var values = h.GetIntegers(tag);
        if ((values.IsEmpty && required) || (!values.IsEmpty && values.Length != count))
        {
            RpmThrow.Format(h.FileName, h.DataFileOffset((int)tag), $"{tag} has {values.Length} entries for {count} files");
        }

        return values;
    }

    private static ImmutableArray<string> Strings(RpmHeader h, RpmTag tag, int count)
    {
        var values = h.GetStringArray(tag);
        if (!values.IsEmpty && values.Length != count)
        {
            RpmThrow.Format(h.FileName, h.DataFileOffset((int)tag), $"{tag} has {values.Length} entries for {count} files");
        }

        return values;
    }
}
