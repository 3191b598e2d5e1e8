using System.Collections.Immutable;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Compatibility;

/// <content>Library search: how a DT_NEEDED name becomes a file (_dl_map_object, open_path, _dl_dst_substitute).</content>
internal sealed partial class LoaderRun
{
    /// <summary>
    /// What a search ended with: the file found (with the path it was opened by), or a file the loader refused, which
    /// stops the program; neither when the name was not found. Files skipped on the way are in <see cref="_candidates"/>.
    /// </summary>
    private readonly record struct SearchHit(DynamicObject? Surface, string? OpenedPath, TargetFileSystem? FileSystem, LibraryCandidate? Refusal = null)
    {
        /// <summary>True when the search ends here: a file taken or refused.</summary>
        public bool Stops => Surface is not null || Refusal is not null;
    }

    /// <summary>_dl_map_object's search: the candidates skipped on the way are collected in <see cref="_candidates"/>.</summary>
    private SearchHit Search(string rawName, LinkMap loader)
    {
        _candidates.Clear();
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
                    if (SearchPath(rpath, l, name) is { Stops: true } hit)
                    {
                        return hit;
                    }

                    didMain |= l.IsMain;
                }
            }

            if (!didMain && _main.Surface.Image.Dynamic is { RunPath: null, RPath: { } mainRPath } && SearchPath(mainRPath, _main, name) is { Stops: true } mainHit)
            {
                return mainHit;
            }
        }

        foreach (var dir in _target.LibraryPath)
        {
            if (TryFolder(_target.FileSystem, dir, name) is { Stops: true } hit)
            {
                return hit;
            }
        }

        if (dyn.RunPath is { } runpath && SearchPath(runpath, loader, name) is { Stops: true } runHit)
        {
            return runHit;
        }

        if ((dyn.Flags1 & ElfDynamicFlags1.DF_1_NODEFLIB) != 0)
        {
            return default;
        }

        if (_layout.TryCacheLookup(name, out var cached) && TryFile(_target.FileSystem, cached) is { Stops: true } cacheHit)
        {
            return cacheHit;
        }

        foreach (var dir in _layout.DefaultDirectories)
        {
            if (TryFolder(_target.FileSystem, dir, name) is { Stops: true } hit)
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

    private SearchHit SearchPath(string path, LinkMap owner, string name)
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

            if (TryFolder(fs, dir, name) is { Stops: true } hit)
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
    private SearchHit TryFolder(TargetFileSystem fs, string dir, string name)
    {
        foreach (var sub in _layout.HardwareSubdirectories)
        {
            var folder = Join(dir, sub);
            if (_target.DirectoryExists(fs, folder) && TryFile(fs, Join(folder, name)) is { Stops: true } hit)
            {
                return hit;
            }
        }

        return TryFile(fs, Join(dir, name));
    }

    /// <summary>
    /// open_verify and _dl_map_object_from_fd on one path: a file taken, refused (the search and the program stop) or
    /// skipped (recorded as a candidate; the search goes on), or nothing there.
    /// </summary>
    private SearchHit TryFile(TargetFileSystem fs, string path)
    {
        var (resolved, isDirectory) = _target.ResolveEntry(fs, path);
        if (resolved is null)
        {
            return default;
        }

        var decision = isDirectory
            ? AcceptanceDecision.Refuse(ObjectRejection.CannotRead, "cannot read file data: Error 21 (Is a directory)") // open(2) succeeds, read(2) fails with EISDIR
            : ObjectAcceptance.Check(_target.LoaderFileAt(fs, resolved), _abi);
        switch (decision.Outcome)
        {
            case AcceptanceOutcome.Accept:
                return new SearchHit(_target.Surface(fs, resolved), path, fs);
            case AcceptanceOutcome.Refuse:
                return new SearchHit(null, null, null, new LibraryCandidate(path, decision.Reason, decision.Message));
            default:
                if (!_candidates.Exists(c => c.Path == path))
                {
                    _candidates.Add(new LibraryCandidate(path, decision.Reason, decision.Message));
                }

                return default;
        }
    }
}
