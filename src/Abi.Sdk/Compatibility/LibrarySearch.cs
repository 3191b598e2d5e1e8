using System.Collections.Immutable;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Compatibility;

/// <content>Library search: how a DT_NEEDED name becomes a file (_dl_map_object, open_path, _dl_dst_substitute).</content>
internal sealed partial class LoaderRun
{
    private (DynamicObject? Surface, string? OpenedPath, TargetFileSystem? FileSystem) Search(string rawName, LinkMap loader)
    {
        var name = rawName;
        var fs = _target.FileSystem;
        if (name.Contains('$'))
        {
            (name, var originRelative) = Expand(name, loader);
            if (originRelative)
            {
                fs = loader.FileSystem;
            }
        }

        if (name.Contains('/'))
        {
            var path = name.StartsWith('/') ? name : fs.IsHost ? Path.GetFullPath(name) : "/" + name;
            return TryFile(fs, path);
        }


        var dyn = loader.Surface.Image.Dynamic!;
        bool loaderHasRunPath = dyn.RunPath is not null;
        if (!loaderHasRunPath)
        {
            // DT_RPATH of the loader, of its loader, and on up; then the executable's.
            bool didMain = false;
            for (var l = loader; l is not null; l = l.Loader)
            {
                // cache_rpath reads a library's DT_RPATH even when it also has DT_RUNPATH; only the
                // executable's RPATH is dropped when it has a RUNPATH (_dl_init_paths).
                var ldyn = l.Surface.Image.Dynamic!;
                if (ldyn.RPath is { } rpath && !(l.IsMain && ldyn.RunPath is not null))
                {
                    if (SearchPath(rpath, l, name) is { Surface: not null } hit)
                    {
                        return hit;
                    }

                    didMain |= l.IsMain;
                }
            }

            if (!didMain && _main.Surface.Image.Dynamic is { RunPath: null, RPath: { } mainRPath } && SearchPath(mainRPath, _main, name) is { Surface: not null } mainHit)
            {
                return mainHit;
            }
        }

        foreach (var dir in _target.LibraryPath)
        {
            if (TryFolder(_target.FileSystem, dir, name) is { Surface: not null } hit)
            {
                return hit;
            }
        }

        if (dyn.RunPath is { } runpath && SearchPath(runpath, loader, name) is { Surface: not null } runHit)
        {
            return runHit;
        }

        if ((dyn.Flags1 & ElfDynamicFlags1.DF_1_NODEFLIB) != 0)
        {
            return default;
        }

        if (_layout.TryCacheLookup(name, out var cached) && TryFile(_target.FileSystem, cached) is { Surface: not null } cacheHit)
        {
            return cacheHit;
        }

        foreach (var dir in _layout.DefaultDirectories)
        {
            if (TryFolder(_target.FileSystem, dir, name) is { Surface: not null } hit)
            {
                return hit;
            }
        }

        return default;
    }

    internal static string FolderOf(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    private static string Join(string dir, string name) => dir.EndsWith('/') ? dir + name : dir + "/" + name;

    private (DynamicObject? Surface, string? OpenedPath, TargetFileSystem? FileSystem) SearchPath(string path, LinkMap owner, string name)
    {
        foreach (var element in path.Split(':'))
        {
            if (element.Length == 0)
            {
                continue; // an empty element means the current directory of the process; not modelled
            }

            var fs = _target.FileSystem;
            var dir = element;
            if (dir.Contains('$'))
            {
                (dir, bool originRelative) = Expand(dir, owner);
                if (originRelative)
                {
                    fs = owner.FileSystem;
                }
            }

            if (!dir.StartsWith('/'))
            {
                continue; // relative to the process's current directory; not modelled
            }

            if (TryFolder(fs, dir, name) is { Surface: not null } hit)
            {
                return hit;
            }
        }

        return default;
    }

    /// <summary>_dl_dst_substitute: $ORIGIN, $LIB, $PLATFORM, braced or not.</summary>
    private (string Value, bool OriginRelative) Expand(string text, LinkMap owner)
    {
        var sb = new System.Text.StringBuilder(text.Length + 32);
        bool origin = false;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '$')
            {
                sb.Append(text[i]);
                continue;
            }

            var rest = text.AsSpan(i + 1);
            if (Token(rest, "ORIGIN", out int len))
            {
                // A path that starts at $ORIGIN lies in the file system the object came from.
                origin |= sb.Length == 0;
                sb.Append(owner.Origin);
                i += len;
            }
            else if (Token(rest, "LIB", out len))
            {
                sb.Append(_layout.Lib);
                i += len;
            }
            else if (Token(rest, "PLATFORM", out len))
            {
                sb.Append(_layout.Platform);
                i += len;
            }
            else
            {
                sb.Append('$');
            }
        }

        return (sb.ToString(), origin);
    }

    private static bool Token(ReadOnlySpan<char> rest, string name, out int length)
    {
        if (rest.StartsWith(name, StringComparison.Ordinal) && (rest.Length == name.Length || !(char.IsAsciiLetterOrDigit(rest[name.Length]) || rest[name.Length] == '_')))
        {
            length = name.Length;
            return true;
        }

        if (rest.Length >= name.Length + 2 && rest[0] == '{' && rest[1..].StartsWith(name, StringComparison.Ordinal) && rest[name.Length + 1] == '}')
        {
            length = name.Length + 2;
            return true;
        }

        length = 0;
        return false;
    }

    /// <summary>open_path over one search folder: its hardware-specific subfolders first, then the folder itself.</summary>
    private (DynamicObject? Surface, string? OpenedPath, TargetFileSystem? FileSystem) TryFolder(TargetFileSystem fs, string dir, string name)
    {
        foreach (var sub in _layout.HardwareSubdirectories)
        {
            var folder = Join(dir, sub);
            if (_target.DirectoryExists(fs, folder) && TryFile(fs, Join(folder, name)) is { Surface: not null } hit)
            {
                return hit;
            }
        }

        return TryFile(fs, Join(dir, name));
    }

    /// <summary>open_verify: a file that exists and is ELF of the executable's class, byte order and machine.</summary>
    private (DynamicObject? Surface, string? OpenedPath, TargetFileSystem? FileSystem) TryFile(TargetFileSystem fs, string path)
    {
        var resolved = _target.Resolve(fs, path);
        if (resolved is null)
        {
            return default;
        }

        var surface = _target.Surface(fs, resolved);
        return surface is not null && surface.Matches(_header) && surface.Image.Dynamic is not null ? (surface, path, fs) : default;
    }
}
