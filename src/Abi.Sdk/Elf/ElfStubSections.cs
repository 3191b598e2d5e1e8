using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Lof = LibObjectFile.Elf;

namespace Abi.Sdk.Elf;

// The sections of a dynamic symbol table that LibObjectFile has no type for. Each is encoded from the model when the
// file is laid out: the hash tables from the linked .dynsym's names, the version tables from their own lists and the
// linked string table. ElfStubWriter.Write orders .dynsym as .gnu.hash needs it and registers the version names
// before the layout.

/// <summary>
/// <c>.gnu.hash</c> (SHT_GNU_HASH) of the linked dynamic symbol table: bloom filter, buckets and chains, as ld writes
/// them. The defined global symbols must follow the others, grouped by bucket: <see cref="ElfStubWriter.Write"/>
/// orders them and encodes the table from the symbols it then has (a layout without it encodes the table once).
/// </summary>
public sealed class ElfGnuHashSection : Lof.ElfSection
{
    private byte[]? _content;

    /// <summary>Creates the section; set <see cref="Lof.ElfSection.Link"/> to the dynamic symbol table.</summary>
    public ElfGnuHashSection()
        : base((Lof.ElfSectionType)(uint)ElfSectionType.SHT_GNU_HASH)
    {
        Name = ".gnu.hash";
        Flags = Lof.ElfSectionFlags.Alloc;
    }

    /// <inheritdoc/>
    protected override void UpdateLayoutCore(Lof.ElfVisitorContext context)
    {
        if (_content is null)
        {
            var symbols = ElfStubWriter.LinkedSymbols(this);
            var (gnu, _) = ElfStubWriter.HashNames(symbols);
            _content = ElfStubWriter.EncodeGnuHash(symbols, gnu, Parent!.FileClass == Lof.ElfFileClass.Is64, Parent.Encoding == Lof.ElfEncoding.Lsb);
        }

        Size = (ulong)_content.Length;
    }

    internal void SetContent(byte[] content) => _content = content;

    /// <inheritdoc/>
    public override void Write(Lof.ElfWriter writer) => writer.Write((_content ?? []).AsSpan());
}

/// <summary>
/// <c>.hash</c> (SHT_HASH), the SysV hash table of the linked dynamic symbol table; <see cref="ElfStubWriter.Write"/>
/// encodes it from the symbols it has (a layout without it encodes the table once).
/// </summary>
public sealed class ElfSysvHashSection : Lof.ElfSection
{
    private byte[]? _content;

    /// <summary>Creates the section; set <see cref="Lof.ElfSection.Link"/> to the dynamic symbol table.</summary>
    public ElfSysvHashSection()
        : base((Lof.ElfSectionType)(uint)ElfSectionType.SHT_HASH)
    {
        Name = ".hash";
        Flags = Lof.ElfSectionFlags.Alloc;
    }

    /// <inheritdoc/>
    protected override void UpdateLayoutCore(Lof.ElfVisitorContext context)
    {
        if (_content is null)
        {
            var symbols = ElfStubWriter.LinkedSymbols(this);
            var (_, sysv) = ElfStubWriter.HashNames(symbols);
            _content = ElfStubWriter.EncodeSysvHash(sysv, Parent!.Encoding == Lof.ElfEncoding.Lsb);
        }

        Size = (ulong)_content.Length;
    }

    internal void SetContent(byte[] content) => _content = content;

    /// <inheritdoc/>
    public override void Write(Lof.ElfWriter writer) => writer.Write((_content ?? []).AsSpan());
}

/// <summary>
/// <c>.gnu.version</c> (SHT_GNU_versym): one entry per entry of the linked dynamic symbol table, index 0 included.
/// A symbol without an entry here is written as global (1); the entry of the null symbol as local (0).
/// </summary>
public sealed class ElfGnuVersionSection : Lof.ElfSection
{
    /// <summary>Creates the section; set <see cref="Lof.ElfSection.Link"/> to the dynamic symbol table.</summary>
    public ElfGnuVersionSection()
        : base((Lof.ElfSectionType)(uint)ElfSectionType.SHT_GNU_VERSYM)
    {
        Name = ".gnu.version";
        Flags = Lof.ElfSectionFlags.Alloc;
    }

    /// <summary>The entries, parallel to the symbol table's: a version index, with 0x8000 for a hidden (non-default) version.</summary>
    public List<ushort> Entries { get; } = [];

    /// <inheritdoc/>
    protected override void UpdateLayoutCore(Lof.ElfVisitorContext context) => Size = 2 * (ulong)ElfStubWriter.LinkedSymbols(this).Count;

    /// <inheritdoc/>
    public override void Write(Lof.ElfWriter writer)
    {
        int count = (int)(Size / 2);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(2 * count, 2));
        bool little = Parent!.Encoding == Lof.ElfEncoding.Lsb;
        for (int i = 0; i < count; i++)
        {
            ushort v = i < Entries.Count ? Entries[i] : (ushort)(i == 0 ? 0 : 1);
            if (little)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(2 * i), v);
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2 * i), v);
            }
        }

        writer.Write(buffer.AsSpan(0, 2 * count));
        ArrayPool<byte>.Shared.Return(buffer);
    }
}

/// <summary><c>.gnu.version_d</c> (SHT_GNU_verdef): the version definitions, names in the linked string table.</summary>
public sealed class ElfGnuVersionDefinitionSection : Lof.ElfSection
{
    /// <summary>Creates the section; set <see cref="Lof.ElfSection.Link"/> to the dynamic string table.</summary>
    public ElfGnuVersionDefinitionSection()
        : base((Lof.ElfSectionType)(uint)ElfSectionType.SHT_GNU_VERDEF)
    {
        Name = ".gnu.version_d";
        Flags = Lof.ElfSectionFlags.Alloc;
        FileAlignment = 4;
        VirtualAddressAlignment = 4;
    }

    /// <summary>The definitions, in file order.</summary>
    public List<ElfStubVersionDefinition> Definitions { get; } = [];

    /// <inheritdoc/>
    protected override void UpdateLayoutCore(Lof.ElfVisitorContext context)
    {
        ulong size = 0;
        foreach (var d in Definitions)
        {
            size += 20 + (8 * (1 + (ulong)d.Predecessors.Length));
        }

        Size = size;
        Info = new Lof.ElfSectionLink(Definitions.Count);
    }

    /// <inheritdoc/>
    public override void Write(Lof.ElfWriter writer)
    {
        var strings = ElfStubWriter.LinkedStrings(this);
        var data = new byte[Size];
        var w = new ElfStubWriter.Encoder(data, Parent!.Encoding == Lof.ElfEncoding.Lsb, is64: false);
        int o = 0;
        for (int n = 0; n < Definitions.Count; n++)
        {
            var d = Definitions[n];
            int count = 1 + d.Predecessors.Length;
            int size = 20 + (8 * count);
            w.U16(o, 1); // VER_DEF_CURRENT
            w.U16(o + 2, (ushort)d.Flags);
            w.U16(o + 4, d.Index);
            w.U16(o + 6, (ushort)count);
            w.U32(o + 8, ElfStubWriter.ElfHash(d.Name));
            w.U32(o + 12, 20);
            w.U32(o + 16, n + 1 == Definitions.Count ? 0u : (uint)size);
            for (int i = 0; i < count; i++)
            {
                int at = o + 20 + (8 * i);
                w.U32(at, strings.GetOrCreateString(i == 0 ? d.Name : d.Predecessors[i - 1]));
                w.U32(at + 4, i + 1 == count ? 0u : 8u);
            }

            o += size;
        }

        writer.Write(data.AsSpan());
    }

    internal void RegisterStrings()
    {
        var strings = ElfStubWriter.LinkedStrings(this);
        foreach (var d in Definitions)
        {
            strings.GetOrCreateString(d.Name);
            foreach (var p in d.Predecessors)
            {
                strings.GetOrCreateString(p);
            }
        }
    }
}

/// <summary><c>.gnu.version_r</c> (SHT_GNU_verneed): the versions required from other files, names in the linked string table.</summary>
public sealed class ElfGnuVersionNeedSection : Lof.ElfSection
{
    /// <summary>Creates the section; set <see cref="Lof.ElfSection.Link"/> to the dynamic string table.</summary>
    public ElfGnuVersionNeedSection()
        : base((Lof.ElfSectionType)(uint)ElfSectionType.SHT_GNU_VERNEED)
    {
        Name = ".gnu.version_r";
        Flags = Lof.ElfSectionFlags.Alloc;
        FileAlignment = 4;
        VirtualAddressAlignment = 4;
    }

    /// <summary>The needs, one per file, in file order.</summary>
    public List<ElfStubVersionNeed> Needs { get; } = [];

    /// <inheritdoc/>
    protected override void UpdateLayoutCore(Lof.ElfVisitorContext context)
    {
        ulong size = 0;
        foreach (var n in Needs)
        {
            size += 16 + (16 * (ulong)n.Versions.Length);
        }

        Size = size;
        Info = new Lof.ElfSectionLink(Needs.Count);
    }

    /// <inheritdoc/>
    public override void Write(Lof.ElfWriter writer)
    {
        var strings = ElfStubWriter.LinkedStrings(this);
        var data = new byte[Size];
        var w = new ElfStubWriter.Encoder(data, Parent!.Encoding == Lof.ElfEncoding.Lsb, is64: false);
        int o = 0;
        for (int n = 0; n < Needs.Count; n++)
        {
            var need = Needs[n];
            int size = 16 + (16 * need.Versions.Length);
            w.U16(o, 1); // VER_NEED_CURRENT
            w.U16(o + 2, (ushort)need.Versions.Length);
            w.U32(o + 4, strings.GetOrCreateString(need.FileName));
            w.U32(o + 8, need.Versions.Length == 0 ? 0u : 16u);
            w.U32(o + 12, n + 1 == Needs.Count ? 0u : (uint)size);
            for (int i = 0; i < need.Versions.Length; i++)
            {
                var v = need.Versions[i];
                int at = o + 16 + (16 * i);
                w.U32(at, ElfStubWriter.ElfHash(v.Name));
                w.U16(at + 4, (ushort)v.Flags);
                w.U16(at + 6, v.Index);
                w.U32(at + 8, strings.GetOrCreateString(v.Name));
                w.U32(at + 12, i + 1 == need.Versions.Length ? 0u : 16u);
            }

            o += size;
        }

        writer.Write(data.AsSpan());
    }

    internal void RegisterStrings()
    {
        var strings = ElfStubWriter.LinkedStrings(this);
        foreach (var n in Needs)
        {
            strings.GetOrCreateString(n.FileName);
            foreach (var v in n.Versions)
            {
                strings.GetOrCreateString(v.Name);
            }
        }
    }
}
