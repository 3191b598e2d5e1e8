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
/// Layout: ELF header, program headers (one read-write PT_LOAD whose memory size extends over the zero-filled area
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
    /// <exception cref="AbiBaselineFormatException">The surface cannot be a loadable ELF file (see <see cref="Write"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dataEncoding"/> is not little- or big-endian.</exception>
    public static byte[] Create(AbiSurface surface, ElfDataEncoding? dataEncoding = null)
    {
        ArgumentNullException.ThrowIfNull(surface);
        var encoding = dataEncoding ?? DefaultDataEncoding(surface.Machine);
        if (encoding is not (ElfDataEncoding.LittleEndian or ElfDataEncoding.BigEndian))
        {
            throw new ArgumentOutOfRangeException(nameof(dataEncoding), dataEncoding, "not an ELF byte order");
        }

        return StubElfWriter.Write(surface, encoding == ElfDataEncoding.LittleEndian);
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
