using System.Collections.Immutable;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Abi;

/// <summary>
/// Stub shared libraries: a real, minimal ELF shared object synthesized from an <see cref="AbiSurface"/>, as Android
/// NDK stub libraries and Bazel interface libraries are. A stub has the surface's SONAME, DT_NEEDED, version
/// definitions and exported symbols (name, version, default or hidden, type, binding, visibility, size), a GNU hash
/// table and a SysV hash table, so <c>ld</c> links against it, <c>ld.so</c> loads it and resolves against it, and
/// <c>readelf</c> and <see cref="ElfImage"/> read it. It holds no code and no data: every symbol points into a
/// zero-filled area, so calling a function of a stub crashes. Link against a stub, run against the real library.
/// </summary>
/// <remarks>
/// The stub is built through LibObjectFile's object model by <see cref="ElfStubWriter"/> from the ELF-level
/// <see cref="ElfStubDefinition"/> that <see cref="ToElfStub"/> maps the surface to. Layout: ELF header, program headers (one read-write PT_LOAD whose memory size extends over the zero-filled area
/// the symbols point into, PT_DYNAMIC, PT_TLS when the surface has thread-local symbols, PT_GNU_STACK),
/// <c>.hash</c>, <c>.gnu.hash</c>, <c>.dynsym</c>, <c>.dynstr</c>, <c>.gnu.version</c> and <c>.gnu.version_d</c>
/// (when the surface has version nodes), <c>.dynamic</c>, <c>.tbss</c>, <c>.bss</c>, <c>.shstrtab</c> and the section
/// headers. Version index 1 is the base definition named after the SONAME; a symbol whose version the surface does
/// not define gets a node of its own after the surface's nodes. The version-node marker symbols a linker adds are
/// not written (they are not part of a surface). Sizes in the surface never drive an allocation: the zero-filled
/// area exists only as the PT_LOAD memory size.
/// </remarks>
public static class AbiStubLibrary
{
    private const int MaxVersionIndex = 0x7fff; // versym keeps 15 bits; 0x8000 marks a hidden version

    /// <summary>Writes the stub library of <paramref name="surface"/> to <paramref name="destination"/>.</summary>
    /// <param name="surface">The surface, for example a baseline read with <see cref="AbiSurface.Open(string)"/>.</param>
    /// <param name="destination">Receives the ELF file.</param>
    /// <param name="dataEncoding">The byte order, or <see langword="null"/> for the machine's usual one (<see cref="DefaultDataEncoding(ElfMachine)"/>).</param>
    /// <exception cref="AbiBaselineFormatException">The surface cannot be a loadable ELF file: its symbols' sizes overflow the address space, it has more than 32765 version nodes, a name contains a NUL character, or its class is unknown.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dataEncoding"/> is not little- or big-endian.</exception>
    /// <exception cref="IOException">The destination cannot be written.</exception>
    public static void Write(AbiSurface surface, Stream destination, ElfDataEncoding? dataEncoding = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(Create(surface, dataEncoding));
    }

    /// <summary>Builds the stub library of <paramref name="surface"/> in memory.</summary>
    /// <param name="surface">The surface.</param>
    /// <param name="dataEncoding">The byte order, or <see langword="null"/> for the machine's usual one.</param>
    /// <returns>The bytes of the ELF file.</returns>
    /// <exception cref="AbiBaselineFormatException">The surface cannot be a loadable ELF file (see <see cref="Write(AbiSurface, Stream, ElfDataEncoding?)"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dataEncoding"/> is not little- or big-endian.</exception>
    public static byte[] Create(AbiSurface surface, ElfDataEncoding? dataEncoding = null)
    {
        var definition = ToElfStub(surface, dataEncoding);
        try
        {
            return ElfStubWriter.Create(definition);
        }
        catch (ElfStubException e)
        {
            throw new AbiBaselineFormatException(definition.Label, 0, e.Reason, e);
        }
    }

    /// <summary>
    /// Builds the LibObjectFile model of the stub library of <paramref name="surface"/>, to adjust before writing it
    /// with <see cref="Write(LibObjectFile.Elf.ElfFile, Stream)"/> (for example to add a symbol: add it to
    /// <c>.dynsym</c> and its version to the <see cref="ElfGnuVersionSection"/>; the hash tables follow).
    /// </summary>
    /// <param name="surface">The surface.</param>
    /// <param name="dataEncoding">The byte order, or <see langword="null"/> for the machine's usual one.</param>
    /// <returns>The model, laid out: addresses and symbol values are those the file would have.</returns>
    /// <exception cref="AbiBaselineFormatException">The surface cannot be a loadable ELF file (see <see cref="Write(AbiSurface, Stream, ElfDataEncoding?)"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dataEncoding"/> is not little- or big-endian.</exception>
    public static LibObjectFile.Elf.ElfFile CreateElfFile(AbiSurface surface, ElfDataEncoding? dataEncoding = null)
    {
        var definition = ToElfStub(surface, dataEncoding);
        try
        {
            return ElfStubWriter.CreateElfFile(definition);
        }
        catch (ElfStubException e)
        {
            throw new AbiBaselineFormatException(definition.Label, 0, e.Reason, e);
        }
    }

    /// <summary>Lays out and writes a stub's model from <see cref="CreateElfFile"/> (see <see cref="ElfStubWriter.Write"/>).</summary>
    /// <param name="file">The model.</param>
    /// <param name="destination">Receives the ELF file.</param>
    /// <exception cref="ElfStubException">The model cannot be laid out as a stub (see <see cref="ElfStubWriter.Write"/>).</exception>
    /// <exception cref="IOException">The destination cannot be written.</exception>
    public static void Write(LibObjectFile.Elf.ElfFile file, Stream destination) => ElfStubWriter.Write(file, destination);

    /// <summary>
    /// What the stub of <paramref name="surface"/> holds, in ELF terms. Version index 1 is the base definition named
    /// after the SONAME (else the file name); the surface's nodes follow, then a node for each version a symbol names
    /// that the surface does not define. EI_OSABI is GNU when a symbol is an indirect function or unique.
    /// </summary>
    /// <param name="surface">The surface.</param>
    /// <param name="dataEncoding">The byte order, or <see langword="null"/> for the machine's usual one.</param>
    /// <returns>The definition <see cref="ElfStubWriter"/> writes.</returns>
    /// <exception cref="AbiBaselineFormatException">The surface has more version nodes than an ELF version index can number.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dataEncoding"/> is not little- or big-endian.</exception>
    public static ElfStubDefinition ToElfStub(AbiSurface surface, ElfDataEncoding? dataEncoding = null)
    {
        ArgumentNullException.ThrowIfNull(surface);
        var encoding = dataEncoding ?? DefaultDataEncoding(surface.Machine);
        if (encoding is not (ElfDataEncoding.LittleEndian or ElfDataEncoding.BigEndian))
        {
            throw new ArgumentOutOfRangeException(nameof(dataEncoding), dataEncoding, "not an ELF byte order");
        }

        var label = surface.FileName ?? surface.Soname;

        // The version table: 1 is the base definition, then the surface's nodes, then nodes only symbols name.
        string baseName = surface.Soname ?? (surface.FileName is { } f ? Path.GetFileName(f) : string.Empty);
        var nodes = new List<AbiVersionNode>();
        var nodeIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in surface.Versions)
        {
            if (nodeIndex.TryAdd(node.Name, nodes.Count + 2))
            {
                nodes.Add(node);
            }
        }

        foreach (var s in surface.Symbols)
        {
            if (s.Version is { } v && nodeIndex.TryAdd(v, nodes.Count + 2))
            {
                nodes.Add(new AbiVersionNode(v, []));
            }
        }

        if (nodes.Count + 1 > MaxVersionIndex)
        {
            throw new AbiBaselineFormatException(label, 0, $"{nodes.Count} version nodes: an ELF version index holds at most {MaxVersionIndex - 1}");
        }

        bool versioned = nodes.Count > 0;
        var definitions = ImmutableArray<ElfStubVersionDefinition>.Empty;
        if (versioned)
        {
            var builder = ImmutableArray.CreateBuilder<ElfStubVersionDefinition>(nodes.Count + 1);
            builder.Add(new ElfStubVersionDefinition(1, ElfVersionFlags.Base, baseName, []));
            for (int n = 0; n < nodes.Count; n++)
            {
                builder.Add(new ElfStubVersionDefinition((ushort)(n + 2), ElfVersionFlags.None, nodes[n].Name, nodes[n].Predecessors));
            }

            definitions = builder.MoveToImmutable();
        }

        var symbols = ImmutableArray.CreateBuilder<ElfStubSymbol>(surface.Symbols.Length);
        bool osAbiGnu = false;
        foreach (var s in surface.Symbols)
        {
            osAbiGnu |= s.Type == ElfSymbolType.GnuIndirectFunction || s.Binding == ElfSymbolBinding.GnuUnique;
            ushort index = s.Version is null ? (ushort)(versioned ? 1 : 0) : (ushort)nodeIndex[s.Version];

            symbols.Add(new ElfStubSymbol(
                s.Name,
                s.Type,
                s.Binding,
                s.Visibility,
                s.Size,
                s.Type == ElfSymbolType.Tls ? ElfStubSymbolPlacement.ThreadLocal : ElfStubSymbolPlacement.ZeroFilled,
                index,
                s.Version is not null && !s.IsDefaultVersion));
        }

        return new ElfStubDefinition
        {
            Class = surface.Class,
            DataEncoding = encoding,
            Machine = surface.Machine,
            OsAbi = osAbiGnu ? ElfOsAbi.Gnu : ElfOsAbi.None,
            Soname = surface.Soname,
            Needed = surface.Needed,
            Symbols = symbols.MoveToImmutable(),
            VersionDefinitions = definitions,
            Label = label,
        };
    }

    /// <summary>
    /// The file name the loader looks a stub up by: the SONAME, else the file name of <see cref="AbiSurface.FileName"/>.
    /// </summary>
    /// <param name="surface">The surface.</param>
    /// <returns>The name, for example <c>libfoo.so.1</c>.</returns>
    /// <exception cref="ArgumentException">The surface has neither a SONAME nor a file name, or the name is not a plain file name.</exception>
    public static string GetLibraryName(AbiSurface surface)
    {
        ArgumentNullException.ThrowIfNull(surface);
        var name = surface.Soname ?? (surface.FileName is { } f ? Path.GetFileName(f) : null);
        if (string.IsNullOrEmpty(name) || name is "." or ".." || name.Contains('/') || name.Contains('\0'))
        {
            throw new ArgumentException($"the surface {surface} has no SONAME or file name usable as a library name", nameof(surface));
        }

        return name;
    }

    /// <summary>The byte order a machine's Linux ABI uses: big-endian for S/390, SPARC, 32-bit PowerPC, M68K and PA-RISC; little-endian otherwise.</summary>
    /// <param name="machine">The machine.</param>
    /// <returns>The byte order.</returns>
    public static ElfDataEncoding DefaultDataEncoding(ElfMachine machine) => machine switch
    {
        ElfMachine.S390 or ElfMachine.Sparc or ElfMachine.Sparc32Plus or ElfMachine.SparcV9 or ElfMachine.PowerPC
            or ElfMachine.M68K or ElfMachine.Parisc => ElfDataEncoding.BigEndian,
        _ => ElfDataEncoding.LittleEndian,
    };
}
