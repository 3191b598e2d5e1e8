using System.IO.Compression;
using Abi.Sdk.Abi;
using Abi.Sdk.Distribution;
using Abi.Sdk.Elf;
using Microsoft.Build.Framework;

namespace Abi.Sdk.Build;

/// <summary>
/// Package validation for native libraries: compares every ELF file under <c>runtimes/*/native/</c> of a package
/// with the same file (same runtime identifier folder, same name) of its baseline package, as <c>abi diff</c> does,
/// and reports each diagnostic with its ID, the library and the symbol. A library the baseline has and the package
/// lacks is an error (ABI3030); a new library is a message.
/// </summary>
public sealed class ValidateNativeAbi : NativeAbiTaskBase
{
    /// <summary>The package just packed (<c>.nupkg</c>).</summary>
    [Required]
    public string PackagePath { get; set; } = string.Empty;

    /// <summary>The baseline: a <c>.nupkg</c> file, or the folder a package was extracted to (the NuGet global packages folder's ID/VERSION).</summary>
    [Required]
    public string BaselinePath { get; set; } = string.Empty;

    /// <summary>The libraries compared, for logs and tests.</summary>
    [Output]
    public ITaskItem[] ComparedLibraries { get; private set; } = [];

    private protected override void Run(NativeAbiReporter reporter, AbiEditorConfig editorConfig, AbiComparer comparer)
    {
        using var current = NativePackage.Open(PackagePath);
        using var baseline = NativePackage.Open(BaselinePath);
        var compared = new List<ITaskItem>();
        var packageName = Path.GetFileName(PackagePath);
        foreach (var (path, oldEntry) in baseline.Libraries)
        {
            var location = $"{packageName}/{path}";
            if (!current.Libraries.TryGetValue(path, out var newEntry))
            {
                var d = DistributionDiagnosticIds.LibraryRemoved;
                var severity = editorConfig.ToSeverities([d], path).GetSeverity(d);
                reporter.Report(d, severity, location, $"{path}: native library of the baseline {Path.GetFileName(BaselinePath)} is not in the package; applications that load it fail with 'cannot open shared object file'");
                continue;
            }

            using var oldImage = ElfImage.Parse(oldEntry(), $"{Path.GetFileName(BaselinePath)}/{path}");
            using var newImage = ElfImage.Parse(newEntry(), location);
            var libraryComparer = comparer.WithSeverities(editorConfig.ToSeverities(comparer.SupportedDiagnostics, path));
            var diff = libraryComparer.Compare(AbiSurface.Of(oldImage), AbiSurface.Of(newImage), LoadTypes(oldImage), LoadTypes(newImage));
            foreach (var diagnostic in diff.Diagnostics)
            {
                reporter.Report(diagnostic.Descriptor, diagnostic.Severity, location, $"{path}: {diagnostic.Message}");
            }

            compared.Add(new Microsoft.Build.Utilities.TaskItem(path, new Dictionary<string, string>
            {
                ["Diagnostics"] = diff.Diagnostics.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }));
        }

        foreach (var path in current.Libraries.Keys.Where(p => !baseline.Libraries.ContainsKey(p)).Order(StringComparer.Ordinal))
        {
            Log.LogMessage(MessageImportance.High, "{0}/{1}: new native library, not in the baseline {2}", packageName, path, Path.GetFileName(BaselinePath));
        }

        ComparedLibraries = [.. compared];
    }

    /// <summary>The types from the library's own debug information, as <c>abi diff</c> reads them; none when it has none.</summary>
    private static AbiTypeGraph LoadTypes(ElfImage image)
    {
        try
        {
            return AbiTypeGraph.Load(image);
        }
        catch (AbiSdkFormatException e)
        {
            return AbiTypeGraph.Unavailable($"the debug information of {image.FileName} could not be read: {e.Message}");
        }
    }

    /// <summary>The ELF files under runtimes/RID/native/ of a .nupkg or an extracted package folder, by that relative path.</summary>
    private sealed class NativePackage : IDisposable
    {
        private readonly ZipArchive? _zip;

        private NativePackage(ZipArchive? zip, SortedDictionary<string, Func<ReadOnlyMemory<byte>>> libraries)
        {
            _zip = zip;
            Libraries = libraries;
        }

        public SortedDictionary<string, Func<ReadOnlyMemory<byte>>> Libraries { get; }

        public static NativePackage Open(string path)
        {
            var libraries = new SortedDictionary<string, Func<ReadOnlyMemory<byte>>>(StringComparer.Ordinal);
            if (Directory.Exists(path))
            {
                var runtimes = Path.Combine(path, "runtimes");
                if (Directory.Exists(runtimes))
                {
                    foreach (var file in Directory.EnumerateFiles(runtimes, "*", SearchOption.AllDirectories))
                    {
                        var relative = Path.GetRelativePath(path, file).Replace('\\', '/');
                        if (IsNativeAsset(relative) && ElfImage.IsElfFile(file))
                        {
                            libraries[relative] = () => File.ReadAllBytes(file);
                        }
                    }
                }

                return new NativePackage(null, libraries);
            }

            var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries)
            {
                var name = Uri.UnescapeDataString(entry.FullName);
                if (!IsNativeAsset(name))
                {
                    continue;
                }

                // Only the first bytes of every asset are inflated to tell ELF files; the libraries are read when compared.
                if (IsElf(ReadPrefix(entry)))
                {
                    libraries[name] = () => Read(entry);
                }
            }

            return new NativePackage(zip, libraries);
        }

        public void Dispose() => _zip?.Dispose();

        /// <summary>runtimes/RID/native/FILE (a file directly in the folder, as NuGet resolves native assets).</summary>
        private static bool IsNativeAsset(string path)
        {
            var parts = path.Split('/');
            return parts.Length == 4 && parts[0] == "runtimes" && parts[2] == "native" && parts[3].Length > 0;
        }

        private static bool IsElf(byte[] bytes) => ElfImage.IsElf(bytes.AsSpan(0, Math.Min(bytes.Length, 4)));

        private static byte[] ReadPrefix(ZipArchiveEntry entry)
        {
            using var stream = entry.Open();
            var prefix = new byte[4];
            return prefix[..stream.ReadAtLeast(prefix, 4, throwOnEndOfStream: false)];
        }

        private static byte[] Read(ZipArchiveEntry entry)
        {
            using var stream = entry.Open();
            var buffer = new MemoryStream(entry.Length is > 0 and < int.MaxValue ? (int)entry.Length : 0);
            stream.CopyTo(buffer);
            return buffer.ToArray();
        }
    }
}
