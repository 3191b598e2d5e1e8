using System.Collections;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text;
using Abi.Sdk.Abi;
using Abi.Sdk.Dependencies;
using Abi.Sdk.Dwarf;
using Abi.Sdk.Elf;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Fuzz;

/// <summary>
/// One fuzz target per reader of untrusted bytes. A target reads the input and then touches every public property
/// of what it read (the readers decode lazily), so a malformed field surfaces wherever the SDK decodes it.
/// The SDK's documented errors are expected; any other exception, a hang, or allocating more than the input size
/// plus <see cref="AllocationAllowance"/> is a finding.
/// </summary>
public static class FuzzTargets
{
    /// <summary>The most bytes one input may make the SDK allocate beyond its own size (the house rule: input + 256 MB).</summary>
    public const long AllocationAllowance = 256L << 20;

    /// <summary>The decompression cap the payload targets pass, so a small bomb is refused rather than streamed for minutes.</summary>
    private static readonly RpmPayloadOptions PayloadOptions = new() { MaxDecompressedSize = 64L << 20 };

    /// <summary>The targets by name.</summary>
    public static IReadOnlyDictionary<string, Action<byte[]>> All { get; } = new SortedDictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["elf"] = Elf,
        ["rpm-header"] = RpmHeaderTarget,
        ["rpm"] = RpmPackageTarget,
        ["cpio"] = Cpio,
        ["repomd"] = Repomd,
        ["primary"] = Primary,
        ["abixml"] = AbiXml,
        ["baseline"] = Baseline,
        ["suppression"] = Suppression,
        ["settings"] = Settings,
        ["openpgp-key"] = OpenPgpKey,
        ["rpm-verify"] = RpmVerify,
        ["dwarf"] = Dwarf,
    };

    /// <summary>Whether <paramref name="exception"/> is one of the errors the SDK documents for malformed input.</summary>
    public static bool IsExpected(Exception exception) => exception is AbiSdkFormatException or RichDependencyFormatException;

    /// <summary>Runs <paramref name="input"/> through target <paramref name="name"/>, swallowing only the documented errors.</summary>
    /// <exception cref="FuzzFindingException">The input made the SDK allocate past the allowance.</exception>
    public static void Run(string name, byte[] input)
    {
        var target = All[name];
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            target(input);
        }
        catch (Exception ex) when (IsExpected(ex))
        {
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated > input.Length + AllocationAllowance)
        {
            throw new FuzzFindingException($"{name}: allocated {allocated} bytes for a {input.Length}-byte input");
        }
    }

    private static void Elf(byte[] input)
    {
        using var image = ElfImage.Parse(input, "fuzz.elf");
        Touch(image);
        var surface = AbiSurface.Of(image);
        Touch(surface);
        AbiBaseline.Write(surface, Stream.Null);
        Touch(ElfDependencyGenerator.Generate(image, "fuzz.elf", image.IsSharedLibrary ? UnixFileMode.UserRead : UnixFileMode.UserRead | UnixFileMode.UserExecute));
    }

    private static void Dwarf(byte[] input)
    {
        // Every unit, DIE and attribute, each value decoded as its form says (strings and addresses through their
        // sections, references resolved across units and type units); no other file is opened.
        using var image = ElfImage.Parse(input, "fuzz.debug");
        using var dwarf = DwarfFile.Of(image, new DwarfReaderOptions { MaxDecompressedSize = 64L << 20, FindSupplementaryFile = false, DebugRoots = [] });
        foreach (var unit in dwarf.Units)
        {
            var dies = unit.ReadDies();
            while (dies.MoveNext())
            {
                var die = dies.Current;
                // The entry is made on demand: its code read again and its offset found by scanning its table again.
                if (die.Abbreviation.Code == 0)
                {
                    throw new InvalidOperationException("a DIE's abbreviation code is never 0");
                }

                foreach (var a in die.Attributes)
                {
                    if (a.IsString)
                    {
                        _ = a.AsString();
                    }
                    else if (a.IsReference)
                    {
                        _ = a.ResolveReference().Tag;
                    }
                    else if (a.Form is DwarfForm.Addr or DwarfForm.Addrx or DwarfForm.Addrx1 or DwarfForm.Addrx2 or DwarfForm.Addrx3 or DwarfForm.Addrx4)
                    {
                        _ = a.AsAddress();
                    }
                    else
                    {
                        _ = a.AsBytes().Length;
                    }
                }

                if (dies.Depth == 0)
                {
                    foreach (var child in die.Children)
                    {
                        _ = child.Name;
                    }
                }
            }
        }
    }

    private static void RpmHeaderTarget(byte[] input)
    {
        // The first byte picks header or signature-header limits; the rest is the header.
        if (input.Length == 0)
        {
            return;
        }

        var header = RpmHeader.Parse(input.AsSpan(1), "fuzz.hdr", 1, (input[0] & 1) == 1 ? RpmHeaderKind.Signature : RpmHeaderKind.Main);
        Touch(header);
        foreach (var entry in header.Entries)
        {
            Touch(header.GetBytes(entry.Tag));
            if (entry.Type is RpmTagType.String or RpmTagType.I18NString)
            {
                Touch(header.GetString(entry.Tag));
            }
            else if (entry.Type is RpmTagType.StringArray)
            {
                Touch(header.GetStringArray(entry.Tag));
            }
            else if (entry.Type is RpmTagType.Char or RpmTagType.Int8 or RpmTagType.Int16 or RpmTagType.Int32 or RpmTagType.Int64)
            {
                Touch(header.GetIntegers(entry.Tag));
            }
        }

        _ = header.ToArray();
    }

    private static void RpmPackageTarget(byte[] input)
    {
        var package = RpmPackage.Parse(input, "fuzz.rpm");
        Touch(package);
        foreach (var kind in Enum.GetValues<RpmDependencyKind>())
        {
            Touch(package.GetDependencies(kind));
        }

        ReadEntries(package.OpenPayload(PayloadOptions));
    }

    /// <summary>OpenPGP public keys (armored or binary), as <c>abi rpm --verify --key</c> reads them.</summary>
    private static void OpenPgpKey(byte[] input) => Touch(OpenPgpKeyRing.Empty.Add(input, "fuzz.asc"));

    /// <summary>Digest and signature checks of a package, against the seed keys (keys/) so signatures are really checked.</summary>
    private static void RpmVerify(byte[] input) => Touch(RpmPackage.Parse(input, "fuzz.rpm").Verify(SeedKeys.Value));

    private static readonly Lazy<OpenPgpKeyRing> SeedKeys = new(
        () => OpenPgpKeyRing.Load(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "keys"), "*.asc").Order(StringComparer.Ordinal)));

    /// <summary>The cpio archive reader: the input is the payload of an uncompressed package (the seed package's headers).</summary>
    private static void Cpio(byte[] input)
    {
        var package = CpioCarrier.Value;
        ReadEntries(package.OpenPayload(new MemoryStream(input, writable: false), leaveOpen: false, PayloadOptions with { EnforceDeclaredSize = false }));
    }

    private static readonly Lazy<RpmPackage> CpioCarrier = new(() => RpmPackage.Parse(CpioCarrierBytes(), "cpio-carrier.rpm"));

    private static byte[] CpioCarrierBytes()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "cpio-carrier.rpm");
        return File.ReadAllBytes(path);
    }

    private static void ReadEntries(RpmPayloadReader reader)
    {
        using (reader)
        {
            var buffer = new byte[1 << 16];
            while (reader.GetNextEntry() is { } entry)
            {
                Touch(entry);
                while (entry.DataStream.Read(buffer) > 0)
                {
                }
            }
        }
    }

    private static void Repomd(byte[] input)
    {
        // FindPrimary reads a path, so the input goes through a scratch file.
        string path = ScratchFile("repomd.xml", input);
        Touch(RepositoryMetadata.FindPrimary(path, 64L << 20));
    }

    private static void Primary(byte[] input)
    {
        using var stream = new MemoryStream(input, writable: false);
        Touch(RepositoryMetadata.Read(stream, "primary.xml", 64L << 20));
    }

    private static void AbiXml(byte[] input)
    {
        using var stream = new MemoryStream(input, writable: false);
        var surface = AbiBaseline.ReadAbiXml(stream, "fuzz.abi");
        Touch(surface);
        AbiBaseline.Write(surface, Stream.Null);
        WithTypes(input, "fuzz.abi");
    }

    /// <summary>The same input read with its types (ABIXML abi-instr, or a format-2 baseline's graph), spelled, compared with itself and written.</summary>
    private static void WithTypes(byte[] input, string fileName)
    {
        var contents = AbiBaseline.ParseWithTypes(input, fileName);
        foreach (var d in contents.Types.Functions.Values.Concat(contents.Types.Variables.Values))
        {
            _ = d.Spelling;
        }

        _ = AbiComparer.Default.Compare(contents.Surface, contents.Surface, contents.Types, contents.Types);
        AbiBaseline.Write(contents.Surface, contents.Types, Stream.Null);
    }

    private static void Baseline(byte[] input)
    {
        using var stream = new MemoryStream(input, writable: false);
        var surface = AbiBaseline.Read(stream, "fuzz.abi.json");
        Touch(surface);
        AbiBaseline.Write(surface, Stream.Null);
        WithTypes(input, "fuzz.abi.json");
    }

    private static void Suppression(byte[] input)
    {
        var file = AbiSuppressionFile.Parse(Encoding.UTF8.GetString(input), "fuzz.suppr");
        Touch(file);
    }

    private static void Settings(byte[] input)
    {
        Touch(AbiSeverityConfiguration.Parse(input, "fuzz.json"));
    }

    [ThreadStatic]
    private static string? s_scratch;

    private static string ScratchFile(string name, byte[] content)
    {
        s_scratch ??= Directory.CreateTempSubdirectory("abi-fuzz-").FullName;
        string path = Path.Combine(s_scratch, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>
    /// Reads every public instance property of <paramref name="value"/> and what they return, a few levels deep,
    /// and enumerates collections (bounded), so lazily decoded fields are decoded.
    /// </summary>
    private static void Touch(object? value) => Touch(value, 0, new HashSet<object>(ReferenceEqualityComparer.Instance));

    private static void Touch(object? value, int depth, HashSet<object> seen)
    {
        if (value is null or string || depth > 4)
        {
            return;
        }

        var type = value.GetType();
        if (type.IsPrimitive || type.IsEnum || value is Stream || !(type.IsValueType || seen.Add(value)))
        {
            return;
        }

        if (value is IEnumerable sequence)
        {
            int count = 0;
            foreach (object? item in sequence)
            {
                if (++count > 100_000)
                {
                    break;
                }

                Touch(item, depth + 1, seen);
            }
        }

        if (type.Namespace?.StartsWith("Abi.Sdk", StringComparison.Ordinal) != true)
        {
            return;
        }

        foreach (var property in Properties(type))
        {
            object? result;
            try
            {
                result = property.GetValue(value);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                throw;
            }

            Touch(result, depth + 1, seen);
        }

        _ = value.ToString();
    }

    private static readonly Dictionary<Type, PropertyInfo[]> PropertyCache = [];

    private static PropertyInfo[] Properties(Type type)
    {
        lock (PropertyCache)
        {
            if (!PropertyCache.TryGetValue(type, out var properties))
            {
                properties = [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is not null && !p.PropertyType.IsByRefLike
                        && p.PropertyType != typeof(ReadOnlyMemory<byte>))];
                PropertyCache[type] = properties;
            }

            return properties;
        }
    }
}

/// <summary>A fuzz finding that is not an exception the SDK threw (an allocation past the allowance).</summary>
public sealed class FuzzFindingException(string message) : Exception(message);
